import http from 'node:http';
import Docker from 'dockerode';
import { timeEach } from '../lib/stats.js';

/**
 * Baseline: a raw HTTP `/run` to a warm container — dockerode to start it, node:http with keep-alive to call it.
 * No Whirl code on the path.
 */
export async function rawContainerRun(opts: { socketPath: string; image: string; n: number; code?: string }): Promise<number[]> {
  const docker = new Docker({ socketPath: opts.socketPath });
  const container = await docker.createContainer({
    Image: opts.image,
    name: `whirl-bench-raw-${process.pid}`,
    HostConfig: { Memory: 256 * 1024 * 1024, NetworkMode: 'bridge' },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const ip = info.NetworkSettings.IPAddress;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
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
    const body = { value: {}, namespace: 'guest', action_name: '/guest/noop', activation_id: '0'.repeat(32), deadline: String(Date.now() + 60_000) };
    await timeEach(Math.min(200, opts.n), () => post('/run', body)); // warm-up
    const samples = await timeEach(opts.n, () => post('/run', body));
    agent.destroy();
    return samples;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
