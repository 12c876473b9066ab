import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { DockerContainerFactory } from '../../src/adapters/containers/docker/docker-container-factory.js';
import type { ContainerSpec } from '../../src/ports/container-factory.js';
import { silentLogger } from '../../src/ports/logger.js';
import { initBody, json, runBody } from '../contract/container-factory.contract.js';
import { describeWith, nodejsImage, serviceUrl } from '../helpers/services.js';

/** What the Docker adapter promises beyond the shared contract: the hardening it asks the engine for. */
describeWith(['docker'], 'DockerContainerFactory specifics', () => {
  const socketPath = (serviceUrl('docker') ?? '').replace(/^unix:\/\//, '');
  const docker = new Docker({ socketPath });
  const factory = new DockerContainerFactory({ socketPath, logger: silentLogger, invokerId: 'runtime-docker-test' });
  const prefix = `whirltest_dock_${randomUUID().slice(0, 8)}_`;
  afterAll(async () => {
    await factory.cleanup(prefix);
    await factory.close();
  });

  const spec = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name: `${prefix}${randomUUID().slice(0, 8)}`,
    image: nodejsImage(),
    kind: 'nodejs:20',
    memoryMB: 128,
    env: { __OW_API_HOST: 'http://api.example' },
    network: true,
    concurrency: 1,
    ...overrides,
  });

  it('creates the container hardened, labelled and memory-capped', async () => {
    const s = spec();
    const c = await factory.create(s);
    const info = await docker.getContainer(c.id).inspect();
    expect(info.Name).toBe(`/${s.name}`);
    expect(info.Config.Labels).toMatchObject({ 'whirl.invoker': 'runtime-docker-test', 'whirl.kind': 'nodejs:20' });
    expect(info.Config.Env).toContain('__OW_API_HOST=http://api.example');
    const host = info.HostConfig;
    expect(host.Memory).toBe(128 * 1024 * 1024);
    expect(host.MemorySwap).toBe(128 * 1024 * 1024);
    expect(host.PidsLimit).toBe(1024);
    expect(host.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 1024 }]);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.NetworkMode).toBe('bridge');
    await c.destroy();
    await expect(docker.getContainer(c.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('puts network:false actions on an internal network the invoker can still reach', async () => {
    const c = await factory.create(spec({ network: false }));
    const info = await docker.getContainer(c.id).inspect();
    const net = await docker.getNetwork(info.HostConfig.NetworkMode ?? '').inspect();
    expect(net.Internal).toBe(true);
    expect((await c.init(initBody(`function main() { return { ok: true }; }`), 10_000)).kind).toBe('response');
    expect(json(await c.run(runBody({}), 5_000))).toEqual({ ok: true });
    await c.destroy();
  });

  it('removes leftovers of a previous invoker run by prefix', async () => {
    const s = spec();
    // A container this factory instance never saw, as after an invoker crash.
    const leftover = await docker.createContainer({ name: s.name, Image: nodejsImage() });
    await factory.cleanup(prefix);
    await expect(leftover.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
