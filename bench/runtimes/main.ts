/**
 * bench/runtimes — cold start (create the container, /init, first /run) and warm /run of each runtime, beside the
 * nodejs single-file action measured in the same run (the ratio column).
 *
 *   npx tsx bench/runtimes/main.ts [--containers process|docker] [--n 10]
 *   (docker: WHIRL_TEST_DOCKER_SOCKET, WHIRL_TEST_NODEJS_IMAGE, WHIRL_TEST_PYTHON_IMAGE, WHIRL_TEST_BLACKBOX_IMAGE; images from runtimes/*\/build.sh)
 *
 * Straight through the container factory, so only the runtime and the container engine are measured. Prints, never
 * asserts: benchmarks are not tests.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DockerContainerFactory } from '../../src/adapters/containers/docker/docker-container-factory.js';
import { ProcessContainerFactory } from '../../src/adapters/containers/process/process-container-factory.js';
import type { ContainerFactory } from '../../src/ports/container-factory.js';
import { silentLogger } from '../../src/ports/logger.js';
import { zip } from '../../test/helpers/zip.js';
import { fmt, percentile, timeEach } from '../lib/stats.js';

const { values: args } = parseArgs({
  options: { containers: { type: 'string', default: 'process' }, n: { type: 'string', default: '10' } },
});
const N = Number(args.n);
const docker = args.containers === 'docker';
const env = process.env;

interface Case {
  label: string;
  kind: string;
  image: string;
  main?: string;
  code: string;
  binary: boolean;
}

const NODE_IMAGE = env.WHIRL_TEST_NODEJS_IMAGE ?? 'whirl/runtime-nodejs:20';
const PY_IMAGE = env.WHIRL_TEST_PYTHON_IMAGE ?? 'whirl/runtime-python:3';
const b64 = (files: Parameters<typeof zip>[0]) => zip(files).toString('base64');
const CASES: Case[] = [
  { label: 'nodejs file', kind: 'nodejs:20', image: NODE_IMAGE, code: 'function main(p) { return { ok: true }; }', binary: false },
  {
    label: 'nodejs zip',
    kind: 'nodejs:20',
    image: NODE_IMAGE,
    code: b64({ 'package.json': '{"main":"a.js"}', 'a.js': 'exports.main = () => ({ ok: true });', 'node_modules/x/index.js': 'module.exports = 1;' }),
    binary: true,
  },
  { label: 'python file', kind: 'python:3', image: PY_IMAGE, code: 'def main(a):\n    return {"ok": True}\n', binary: false },
  {
    label: 'python zip',
    kind: 'python:3',
    image: PY_IMAGE,
    code: b64({ '__main__.py': 'from h import ok\ndef main(a):\n    return ok()\n', 'h.py': 'def ok():\n    return {"ok": True}\n' }),
    binary: true,
  },
  {
    label: 'blackbox sh',
    kind: 'blackbox',
    image: env.WHIRL_TEST_BLACKBOX_IMAGE ?? 'whirl/runtime-blackbox:latest',
    code: b64({ exec: { data: '#!/bin/sh\necho \'{"ok": true}\'\n', mode: 0o755 } }),
    binary: true,
  },
];

const factory: ContainerFactory = docker
  ? new DockerContainerFactory({ socketPath: (env.WHIRL_TEST_DOCKER_SOCKET ?? '/var/run/docker.sock').replace(/^unix:\/\//, ''), logger: silentLogger, invokerId: 'bench-runtimes' })
  : new ProcessContainerFactory({ logger: silentLogger });
const prefix = `whirl-bench-runtimes-${randomUUID().slice(0, 8)}-`;
const run = { value: {}, namespace: 'guest', action_name: '/guest/bench', activation_id: 'a', deadline: String(Date.now() + 60_000) };

async function measure(c: Case): Promise<{ cold: number; warm: number }> {
  const spec = { image: c.image, kind: c.kind, memoryMB: 256, env: {}, network: false, concurrency: 1 };
  const init = { value: { name: 'bench', main: c.main ?? 'main', code: c.code, binary: c.binary, env: {} } };
  let warm: number[] = [];
  const cold = await timeEach(N, async () => {
    const container = await factory.create({ ...spec, name: `${prefix}${randomUUID().slice(0, 8)}` });
    try {
      const i = await container.init(init, 30_000);
      if (i.kind !== 'response' || i.statusCode !== 200) throw new Error(`${c.label}: init ${JSON.stringify(i)}`);
      const r = await container.run(run, 30_000);
      if (r.kind !== 'response' || r.statusCode !== 200) throw new Error(`${c.label}: run ${JSON.stringify(r)}`);
      if (warm.length === 0) warm = await timeEach(N * 5, async () => void (await container.run(run, 30_000)));
    } finally {
      await container.destroy();
    }
  });
  return { cold: percentile(cold, 50), warm: percentile(warm, 50) };
}

const results: Array<[string, { cold: number; warm: number }]> = [];
try {
  for (const c of CASES) results.push([c.label, await measure(c)]);
} finally {
  await factory.cleanup(prefix);
  await factory.close();
}
const base = results[0]![1];
console.log(`runtimes on ${docker ? 'Docker' : 'process containers'}, ${N} cold starts and ${N * 5} warm runs each (median ms)`);
console.log('runtime        cold (create+init+run)   ×nodejs   warm /run   ×nodejs');
for (const [label, r] of results) {
  console.log(
    `${label.padEnd(14)} ${fmt(r.cold).padStart(10)}            ${(r.cold / base.cold).toFixed(2).padStart(5)}   ${fmt(r.warm).padStart(9)}   ${(r.warm / base.warm).toFixed(2).padStart(5)}`,
  );
}
