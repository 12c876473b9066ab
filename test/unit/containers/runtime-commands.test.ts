import { describe, expect, it } from 'vitest';
import { runtimeCommand } from '../../../src/adapters/containers/process/runtime-commands.js';
import { isWhirlError } from '../../../src/errors/whirl-error.js';
import type { ContainerSpec } from '../../../src/ports/container-factory.js';

/** The process-container runtime table: which proxy and interpreter each kind runs, and what it cannot run. */
const spec = (kind: string, image: string): ContainerSpec => ({
  name: 'c',
  image,
  kind,
  memoryMB: 192,
  env: {},
  network: true,
  concurrency: 1,
});
const host = { node: '/opt/node', python: process.execPath };
const failure = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

describe('process-container runtime commands', () => {
  it('runs nodejs kinds on node with the heap capped at the memory limit', () => {
    const c = runtimeCommand(spec('nodejs:20', 'whirl/runtime-nodejs:20'), host);
    expect(c.command).toBe('/opt/node');
    expect(c.args[0]).toBe('--max-old-space-size=192');
    expect(c.args[1]).toMatch(/runtimes\/nodejs\/proxy\.mjs$/);
  });

  it('runs python kinds on the configured interpreter', () => {
    const c = runtimeCommand(spec('python:3.11', 'whirl/runtime-python:3'), host);
    expect(c.command).toBe(process.execPath);
    expect(c.args).toEqual([expect.stringMatching(/runtimes\/python\/proxy\.py$/)]);
  });

  it('names the missing interpreter', () => {
    const err = failure(() => runtimeCommand(spec('python:3', 'x'), { ...host, python: 'no-such-python3' }));
    expect(isWhirlError(err, 'WHIRL_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('/usr/bin/no-such-python3');
    expect((err as Error).message).toContain('WHIRL_PYTHON');
  });

  it("runs blackbox actions on Whirl's skeleton (any tag), and refuses other images as needing Docker", () => {
    for (const image of ['whirl/runtime-blackbox', 'whirl/runtime-blackbox:latest', 'whirl/runtime-blackbox:1.2']) {
      const c = runtimeCommand(spec('blackbox', image), host);
      expect(c.args[1]).toMatch(/runtimes\/blackbox\/proxy\.mjs$/);
      expect(c.env.WHIRL_IMAGE_EXEC).toMatch(/runtimes\/blackbox\/exec\.stub$/);
    }
    for (const image of ['openwhisk/dockerskeleton', 'evil/whirl/runtime-blackbox', 'whirl/runtime-blackbox:x y']) {
      const err = failure(() => runtimeCommand(spec('blackbox', image), host));
      expect(isWhirlError(err, 'WHIRL_CONTAINER_ENGINE_REQUIRED')).toBe(true);
      expect((err as Error).message).toContain('needs a container engine (Docker)');
    }
  });
});
