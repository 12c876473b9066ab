import { CliError, ExitCode, exitCodeForStatus } from './cli-error.js';

/**
 * The CLI's only way to Whirl: HTTP to `/api/v1`, like `wsk`. Non-2xx answers become a CliError carrying the API's
 * `{error, code}` (message and transaction id) and the matching exit code; transport failures become NETWORK errors.
 */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Statuses to return rather than throw (e.g. 502 for a failed blocking invoke, whose body is the record). */
  accept?: readonly number[];
  /** Client-side timeout; the default covers the API's longest blocking wait (60 s) with margin. */
  timeoutMs?: number;
}

export class ApiClient {
  constructor(
    /** Base URL including `/api/v1`. */
    readonly baseUrl: string,
    private readonly auth: string | undefined,
    private readonly userAgent = 'whirl-cli',
    /** `-i/--insecure`, as `wsk -i`: accept any TLS certificate (a self-signed dev deployment). */
    private readonly insecure = false,
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const url = new URL(`${this.baseUrl}/${path.replace(/^\//, '')}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    if (this.auth) headers.authorization = `Basic ${Buffer.from(this.auth).toString('base64')}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      const init = {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 75_000),
      };
      res = this.insecure ? await insecureFetch(url, init) : await fetch(url, init);
    } catch (err) {
      throw new CliError(`cannot reach ${url.origin}: ${describeFetchError(err)}`, ExitCode.NETWORK);
    }
    const text = await res.text();
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text: the error below shows it
      }
    } else if (!text) {
      body = undefined;
    }
    if (res.ok || opts.accept?.includes(res.status)) return { status: res.status, body, headers: res.headers };
    throw apiError(res.status, body);
  }

  get(path: string, opts?: RequestOptions) {
    return this.request('GET', path, opts);
  }
  put(path: string, body: unknown, opts?: RequestOptions) {
    return this.request('PUT', path, { ...opts, body });
  }
  post(path: string, body: unknown, opts?: RequestOptions) {
    return this.request('POST', path, { ...opts, body });
  }
  delete(path: string, opts?: RequestOptions) {
    return this.request('DELETE', path, opts);
  }
}

/** undici's own fetch with a dispatcher that skips certificate checks (Node's global fetch takes no TLS options). */
async function insecureFetch(url: URL, init: RequestInit): Promise<Response> {
  const undici = await import('undici');
  const dispatcher = new undici.Agent({ connect: { rejectUnauthorized: false } });
  return (await undici.fetch(url, { ...(init as object), dispatcher })) as unknown as Response;
}

function apiError(status: number, body: unknown): CliError {
  const rec = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  // Not Whirl's `{error, code}` (a proxy's HTML page, say): show the status and the start of the body.
  const text = typeof body === 'string' && body ? `HTTP ${status}: ${body.replace(/\s+/g, ' ').slice(0, 200)}` : `HTTP ${status}`;
  const detail = typeof rec.error === 'string' ? rec.error : text;
  const code = typeof rec.code === 'string' ? rec.code : undefined;
  const hint = status === 401 ? ' (check AUTH: whirl property get --auth)' : '';
  return new CliError(`${detail}${hint}`, exitCodeForStatus(status), { status, code, body });
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer within the client timeout';
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    if (cause?.message) return cause.message;
    return err.message;
  }
  return String(err);
}
