import { WhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { ThrottleCounters } from '../../ports/throttle-counters.js';
import { limitsFor, type NamespaceLimits, type ThrottleSettings } from './throttle-limits.js';

const MINUTE_MS = 60_000;

/**
 * OpenWhisk's entitlement throttles (`Entitlement.scala`, `RateThrottler`, `ActivationThrottler`), per namespace:
 * - rate: a fixed window per clock minute. Every request counts, refused ones included; the request that makes
 *   the count exceed the limit is refused: 429 `Too many requests in the last minute (count: N, allowed: M).`
 * - concurrency: a slot per activation in flight, taken when it is accepted and freed when its completion is
 *   seen (or when its lease ends, should that never happen). With M slots held the next one is refused:
 *   429 `Too many concurrent requests in flight (count: M, allowed: M).`
 * Checked rate first, then concurrency, as OpenWhisk does. With counters in Redis the counts are shared by every
 * API process.
 */
export class NamespaceThrottle {
  constructor(
    private readonly deps: { counters: ThrottleCounters; settings: ThrottleSettings; clock: Clock },
  ) {}

  limits(namespace: string): NamespaceLimits {
    return limitsFor(this.deps.settings, namespace);
  }

  /** Whether activations of this namespace hold concurrency slots (and so need their completion seen). */
  tracksConcurrency(namespace: string): boolean {
    return this.limits(namespace).concurrentInvocations > 0;
  }

  /** Admits one activation (rate, then a concurrency slot leased for `leaseMs`), or throws a 429 WhirlError. */
  async admitInvocation(namespace: string, activationId: string, leaseMs: number): Promise<void> {
    const limits = this.limits(namespace);
    await this.checkRate(`inv:${namespace}`, limits.invocationsPerMinute);
    if (limits.concurrentInvocations <= 0) return;
    const now = this.deps.clock.now();
    const slot = await this.deps.counters.acquire(
      `conc:${namespace}`,
      activationId,
      limits.concurrentInvocations,
      now + leaseMs,
      now,
    );
    if (!slot.acquired) {
      throw new WhirlError('WHIRL_THROTTLED_CONCURRENT', [slot.count, limits.concurrentInvocations]);
    }
  }

  async release(namespace: string, activationId: string): Promise<void> {
    if (!this.tracksConcurrency(namespace)) return;
    await this.deps.counters.release(`conc:${namespace}`, activationId);
  }

  /** Activations of the namespace holding a slot now. */
  async inFlight(namespace: string): Promise<number> {
    return this.deps.counters.held(`conc:${namespace}`, this.deps.clock.now());
  }

  /** Admits one trigger fire, or throws 429 WHIRL_THROTTLED_RATE. */
  async admitFire(namespace: string): Promise<void> {
    await this.checkRate(`fire:${namespace}`, this.limits(namespace).firesPerMinute);
  }

  private async checkRate(key: string, allowed: number): Promise<void> {
    if (allowed <= 0) return;
    const window = Math.floor(this.deps.clock.now() / MINUTE_MS);
    const count = await this.deps.counters.hit(key, window, 2 * MINUTE_MS);
    if (count > allowed) throw new WhirlError('WHIRL_THROTTLED_RATE', [count, allowed]);
  }
}
