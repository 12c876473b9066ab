import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { thisProcess, type ContainerOwner } from '../../src/adapters/containers/docker/container-owner.js';
import { DockerContainerFactory } from '../../src/adapters/containers/docker/docker-container-factory.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, nodejsImage, serviceUrl } from '../helpers/services.js';

/**
 * Crash hygiene for Docker containers: every action container is labelled with the process that owns it (host, pid,
 * instance). An invoker starting up removes the containers of any Whirl process on its host that is gone — killed -9
 * under another invoker id, or an earlier instance under its own pid — and leaves a live process's containers alone.
 */
describeWith(['docker'], 'Docker containers of a dead Whirl', () => {
  const socketPath = serviceUrl('docker') ?? '';
  const docker = new Docker({ socketPath });
  const id = randomUUID().slice(0, 8);
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const created: string[] = [];
  afterAll(async () => {
    sleeper.kill('SIGKILL');
    for (const name of created) await docker.getContainer(name).remove({ force: true }).catch(() => {});
  });

  const containerOf = async (owner: ContainerOwner, tag: string) => {
    const factory = new DockerContainerFactory({ socketPath, logger: silentLogger, invokerId: `hyg${tag}${id}`, owner });
    const name = `whirl-hyg-${tag}-${id}`;
    created.push(name);
    await factory.create({ name, image: nodejsImage(), kind: 'nodejs:20', memoryMB: 128, env: {}, network: true, concurrency: 1 });
    return name;
  };
  const exists = async (name: string) =>
    docker
      .getContainer(name)
      .inspect()
      .then(
        () => true,
        () => false,
      );

  it('removes the containers of dead owners at start, and keeps a live owner’s', async () => {
    // A pid that just exited: no process has it now.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    const dead = await containerOf({ host: thisProcess.host, pid: deadPid, instance: 'killed' }, 'dead');
    const earlier = await containerOf({ host: thisProcess.host, pid: process.pid, instance: 'before-restart' }, 'earlier');
    const live = await containerOf({ host: thisProcess.host, pid: sleeper.pid!, instance: 'alive' }, 'live');
    const elsewhere = await containerOf({ host: `other-${id}`, pid: deadPid, instance: 'x' }, 'elsewhere');
    for (const n of [dead, earlier, live, elsewhere]) expect(await exists(n)).toBe(true);

    // An invoker of another id starting on this host.
    const starting = new DockerContainerFactory({ socketPath, logger: silentLogger, invokerId: `hygnew${id}` });
    await starting.cleanup(`whirl-hygnew-${id}-`);

    expect(await exists(dead)).toBe(false);
    expect(await exists(earlier)).toBe(false);
    expect(await exists(live)).toBe(true);
    expect(await exists(elsewhere)).toBe(true);
  }, 120_000);
});
