import { randomUUID } from 'node:crypto';
import { MemoryScheduleStore } from '../../src/adapters/schedules/memory-schedule-store.js';
import { RedisScheduleStore } from '../../src/adapters/schedules/redis-schedule-store.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { scheduleStoreContract } from './schedules-store.contract.js';

const shared = new MemoryScheduleStore();
// One shared instance stands in for "several processes"; closing it is a no-op.
scheduleStoreContract('memory', async () => shared);

describeWith(['redis'], 'redis schedule store', () => {
  const prefix = `whirl-test-sched-${randomUUID().slice(0, 8)}`;
  scheduleStoreContract('redis', async () =>
    new RedisScheduleStore({ redisUrl: serviceUrl('redis')!, prefix, logger: silentLogger }),
  );
});
