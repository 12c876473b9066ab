import { createHash } from 'node:crypto';
import type { InvokerStatus } from '../ports/invoker-registry.js';

/**
 * Where an activation runs: OpenWhisk's ShardingContainerPoolBalancer, reduced to its rule. Pure.
 *
 * Live invokers (heard from within `deadMs`), in id order, form a ring. The action's home is
 * hash(namespace, action) mod n; from there the ring is probed with a step size coprime to n (so every invoker is
 * visited once, and two actions with the same home overflow to different places). The first invoker with
 * `memoryMB` free takes it. When none has room, the one with the most free memory does (overload: its pool queues
 * the activation). No live invoker: undefined (the message goes to the shared queue, taken by whoever comes).
 */
export function place(
  invokers: readonly InvokerStatus[],
  homeHash: number,
  memoryMB: number,
  deadMs: number,
): string | undefined {
  const live = invokers.filter((i) => i.ageMs < deadMs);
  const n = live.length;
  if (n === 0) return undefined;
  const home = homeHash % n;
  const steps = stepSizes(n);
  const step = steps[homeHash % steps.length]!;
  for (let k = 0; k < n; k++) {
    const candidate = live[(home + k * step) % n]!;
    if (candidate.freeMB >= memoryMB) return candidate.id;
  }
  let best = live[home]!;
  for (const i of live) if (i.freeMB > best.freeMB) best = i;
  return best.id;
}

/** A stable non-negative 32-bit hash of (namespace, action): the same action always has the same home. */
export function homeHash(namespace: string, action: string): number {
  return createHash('md5').update(`${namespace}/${action}`).digest().readUInt32BE(0);
}

/** Step sizes coprime to n (OpenWhisk's `pairwiseCoprimeNumbersUntil`, simplified to coprimality with n). */
export function stepSizes(n: number): number[] {
  const out: number[] = [];
  for (let s = 1; s <= n; s++) if (gcd(s, n) === 1) out.push(s);
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
