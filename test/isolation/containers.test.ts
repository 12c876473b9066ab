import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { createTestNetwork } from './test-network.js';

/**
 * Issue 8, isolation: an action cannot reach Whirl's own Redis and store. The hardening of live containers (user,
 * read-only root, no capabilities, no Docker socket, limits) is checked in test/integration/invoker-docker.test.ts;
 * this adds the network side. An action probes TCP connections to the Redis and CouchDB ports this Whirl uses, at
 * every address of this host an action could route to (its default gateway, i.e. the Docker bridge, and every IPv4
 * address of the host), plus Docker's TCP API ports. A listener on all interfaces, opened by the test, is the
 * positive control: the probe must reach it, or "unreachable" would prove nothing.
 *
 * This holds when the services listen on loopback only (scripts/services.sh does; docs/isolation.md). A Redis
 * listening on 0.0.0.0 IS reachable from actions, and this test then fails — as it should.
 */
const PROBE = `
const net = require('net');
const fs = require('fs');
function gateway() {
  for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\\n').slice(1)) {
    const f = line.trim().split(/\\s+/);
    if (f[1] === '00000000' && f[2]) return f[2].match(/../g).reverse().map((h) => parseInt(h, 16)).join('.');
  }
  return undefined;
}
function connects(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1500 });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}
async function main(p) {
  const gw = gateway();
  const hosts = [...new Set([...(gw ? [gw] : []), ...p.hosts])];
  const reached = [];
  for (const host of hosts) for (const port of p.ports) if (await connects(host, port)) reached.push(host + ':' + port);
  return { gateway: gw || null, hosts, reached, control: (await Promise.all(hosts.map((h) => connects(h, p.control)))).some(Boolean) };
}`;

const HINT = 'a service listening on 0.0.0.0 is reachable from actions: bind Redis/CouchDB to 127.0.0.1 (docs/isolation.md)';

function portOf(url: string | undefined, fallback: number): number {
  if (!url) return fallback;
  const u = new URL(url);
  return Number(u.port || fallback);
}

describeWith(['redis', 'couchdb', 'docker'], 'action containers cannot reach Whirl’s Redis, store or Docker', () => {
  let w: TestWhirl;
  let control: Server;
  let controlPort = 0;
  let network: Awaited<ReturnType<typeof createTestNetwork>> | undefined;
  const hosts = Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
  const ports = [portOf(serviceUrl('redis'), 6379), portOf(serviceUrl('couchdb'), 5984), 2375, 2376];

  beforeAll(async () => {
    control = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => control.listen(0, '0.0.0.0', resolve));
    controlPort = (control.address() as { port: number }).port;
    network = await createTestNetwork();
    w = await startTestWhirl('full', { WHIRL_PREWARM: '', WHIRL_CONTAINER_NETWORK: network.name });
  }, 60_000);
  afterAll(async () => {
    await w?.stop();
    await network?.remove();
    control?.close();
  });

  const probe = async (name: string, annotations: unknown[] = []) => {
    const put = await w.api('PUT', `/api/v1/namespaces/_/actions/${name}?overwrite=true`, {
      exec: { kind: 'nodejs:default', code: PROBE },
      limits: { timeout: 60_000 },
      annotations,
    });
    expect(put.status).toBe(200);
    const r = await w.api('POST', `/api/v1/namespaces/_/actions/${name}?blocking=true&result=true`, { hosts, ports, control: controlPort });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { gateway: string | null; hosts: string[]; reached: string[]; control: boolean };
  };

  it('on the default network: the host is reachable (control), its Redis, CouchDB and Docker ports are not', async () => {
    const r = await probe('probe-net');
    expect(r.gateway).not.toBeNull();
    expect(r.control).toBe(true);
    expect(r.reached, HINT).toEqual([]);
  }, 90_000);

  it('with the `network: false` annotation: those ports are not reachable either', async () => {
    const r = await probe('probe-offline', [{ key: 'network', value: false }]);
    expect(r.reached, HINT).toEqual([]);
  }, 90_000);
});
