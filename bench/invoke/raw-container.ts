import http from 'node:http';
import Docker from 'dockerode';
import { timeEach } from '../lib/stats.js';

/**
 * Baseline: a raw HTTP `/run` to a warm container — dockerode to start it, node:http with keep-alive to call it.
 * No Whirl code on the path.
 */
export interface RawContainer {
  /** The container's bridge address (the runtime listens on port 8080). */
  ip: string;
  /** POSTs a JSON body over a keep-alive node:http connection; rejects unless 200. */
  post(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a container of `image` and `/init`s `code` (default: a noop). No Whirl code on the path. */
export async function startRawContainer(opts: { socketPath: string; image: string; code?: string; name?: string }): Promise<RawContainer> {
  const docker = new Docker({ socketPath: opts.socketPath });
  const container = await docker.createContainer({
    Image: opts.image,
    name: opts.name ?? `whirl-bench-raw-${process.pid}`,
    HostConfig: { Memory: 256 * 1024 * 1024, NetworkMode: 'bridge' },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const stop = async () => {
    agent.destroy();
    await container.remove({ force: true }).catch(() => undefined);
  };
  try {
    await container.start();
    const info = await container.inspect();
    const ip = info.NetworkSettings.IPAddress;
    const post = (path: string, body: unknown) =>
      new Promise<void>((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = http.request(
          { host: ip, port: 8080, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    for (let i = 0; ; i++) {
      try {
        await post('/init', { value: { name: 'noop', main: 'main', code: opts.code ?? 'function main(){return {}}', binary: false, env: {} } });
        break;
      } catch (err) {
        if (i > 200) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return { ip, post, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The `/run` body every baseline sends. */
export const RUN_BODY = { value: {}, namespace: 'guest', action_name: '/guest/noop', activation_id: '0'.repeat(32), deadline: String(Date.now() + 3_600_000) };

export async function rawContainerRun(opts: { socketPath: string; image: string; n: number; code?: string }): Promise<number[]> {
  const c = await startRawContainer(opts);
  try {
    await timeEach(Math.min(200, opts.n), () => c.post('/run', RUN_BODY)); // warm-up
    return await timeEach(opts.n, () => c.post('/run', RUN_BODY));
  } finally {
    await c.stop();
  }
}
