import type { Dispatcher } from 'undici';

/**
 * A load generator's POST: undici's dispatch API with a handler that keeps only the status (the body is read and
 * dropped). The throughput benchmarks run their client on the same two cores as the system under test, so the
 * client's own CPU per request is taken from what is measured: ~75 µs here against ~130 µs through `request()` and
 * reading the body (bench/invoke measured the same difference for the runtime client, docs/benchmarks.md).
 */
export function leanPost(
  client: Dispatcher,
  path: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 30_000,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    const timer = setTimeout(() => {
      reject(new Error(`POST ${path} timed out after ${timeoutMs} ms`));
      controller?.abort(new Error('timeout'));
    }, timeoutMs);
    client.dispatch(
      { method: 'POST', path, headers, ...(body === undefined ? {} : { body }) },
      {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData() {},
        onResponseEnd() {
          clearTimeout(timer);
          resolve(status);
        },
        onResponseError(_c, err) {
          clearTimeout(timer);
          reject(err);
        },
      },
    );
  });
}
