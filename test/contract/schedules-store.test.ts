import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FileScheduleStore } from '../../src/adapters/schedules/file-schedule-store.js';
import { MemoryScheduleStore } from '../../src/adapters/schedules/memory-schedule-store.js';
import { RedisScheduleStore } from '../../src/adapters/schedules/redis-schedule-store.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { scheduleStoreContract, testSchedule } from './schedules-store.contract.js';
import { CouchScheduleStore } from '../../src/adapters/schedules/couch-schedule-store.js';
import { testCouchCoordination } from '../helpers/couch-coordination.js';

const shared = new MemoryScheduleStore();
// One shared instance stands in for "several processes"; closing it is a no-op.
scheduleStoreContract('memory', async () => shared);

// The file store is single-process: one instance stands in for every handle, reopened once to prove persistence.
const dir = mkdtempSync(join(tmpdir(), 'whirl-sched-'));
const file = FileScheduleStore.open({ dir });
scheduleStoreContract('file', async () => file);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('file store: schedules and last ticks survive a reopen', async () => {
  const d = mkdtempSync(join(tmpdir(), 'whirl-sched-'));
  try {
    const a = await FileScheduleStore.open({ dir: d });
    const s = testSchedule();
    await a.put(s);
    expect(await a.claimTick(s.id, 60_000)).toBe(true);
    await a.close();
    const b = await FileScheduleStore.open({ dir: d });
    expect(await b.get(s.id)).toEqual(s);
    expect(await b.lastTick(s.id)).toBe(60_000);
    expect(await b.claimTick(s.id, 60_000)).toBe(false);
    await b.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

describeWith(['redis'], 'redis schedule store', () => {
  const prefix = `whirl-test-sched-${randomUUID().slice(0, 8)}`;
  scheduleStoreContract('redis', async () =>
    new RedisScheduleStore({ redisUrl: serviceUrl('redis')!, prefix, logger: silentLogger }),
  );
  afterAll(async () => {
    const redis = new Redis(serviceUrl('redis')!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
});

describeWith(['couchdb'], 'CouchDB schedule store', () => {
  const options = testCouchCoordination();
  scheduleStoreContract('couchdb', async () => new CouchScheduleStore(options));
});
