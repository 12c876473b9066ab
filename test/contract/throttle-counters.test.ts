import { randomUUID } from 'node:crypto';
import { MemoryThrottleCounters } from '../../src/adapters/counters/memory-throttle-counters.js';
import { RedisThrottleCounters } from '../../src/adapters/counters/redis-throttle-counters.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { throttleCountersContract } from './throttle-counters.contract.js';
import { CouchThrottleCounters } from '../../src/adapters/counters/couch-throttle-counters.js';
import { testCouchCoordination, UNREACHABLE_COUCH } from '../helpers/couch-coordination.js';

throttleCountersContract('memory', async () => new MemoryThrottleCounters());

describeWith(['redis'], 'Redis throttle counters', () => {
  const prefix = `whirl-test-${randomUUID().slice(0, 8)}:throttle`;
  throttleCountersContract(
    'redis',
    async () => new RedisThrottleCounters({ redisUrl: serviceUrl('redis') ?? '', prefix, logger: silentLogger }),
    async () =>
      new RedisThrottleCounters({ redisUrl: 'redis://127.0.0.1:1', prefix, logger: silentLogger, connectTimeoutMs: 300 }),
  );
});

describeWith(['couchdb'], 'CouchDB throttle counters', () => {
  const options = testCouchCoordination();
  throttleCountersContract(
    'couchdb',
    async () => new CouchThrottleCounters(options),
    async () => new CouchThrottleCounters(UNREACHABLE_COUCH),
  );
});
