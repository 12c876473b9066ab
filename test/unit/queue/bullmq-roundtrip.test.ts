import { expect, it } from 'vitest';
import { bullmqRoundTrip } from '../../../bench/baseline/bullmq-roundtrip.js';
import { describeWith, serviceUrl } from '../../helpers/services.js';

describeWith(['redis'], 'bench baseline: raw BullMQ round trip', () => {
  it('measures latency percentiles and throughput of no-op jobs', async () => {
    const r = await bullmqRoundTrip({ redisUrl: serviceUrl('redis') ?? '', n: 50, concurrency: 4 });
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    expect(r.throughputPerSec).toBeGreaterThan(0);
    expect(Number.isFinite(r.throughputPerSec)).toBe(true);
  });
});
