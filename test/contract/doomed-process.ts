import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DoomedConsumer } from './activation-queue.contract.js';
import { deferred } from './activation-queue.support.js';

/**
 * A consumer in a real process (`fixture` run with `args`), killed with SIGKILL: the honest stand-in for an invoker
 * crash. The fixture prints JSON lines: `{ready: true}` once consuming, `{received: id}` when a handler started.
 */
export async function startDoomedProcess(fixture: string, args: string[]): Promise<DoomedConsumer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = deferred();
  const received = deferred<string>();
  child.once('exit', (code, signal) => {
    const err = new Error(`doomed consumer exited early (code ${code}, signal ${signal})`);
    ready.reject(err);
    received.reject(err);
  });
  received.promise.catch(() => {});
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { ready?: true; received?: string };
    if (event.ready) ready.resolve();
    if (event.received) received.resolve(event.received);
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    await ready.promise;
  } catch (err) {
    await kill();
    throw err;
  }
  return { received: received.promise, kill };
}
