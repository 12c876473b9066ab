import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import nano from 'nano';
import { afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileWebhookInbox } from '../../src/adapters/webhooks/file-webhook-inbox.js';
import { MemoryWebhookInbox } from '../../src/adapters/webhooks/memory-webhook-inbox.js';
import { RedisWebhookInbox } from '../../src/adapters/webhooks/redis-webhook-inbox.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, serviceUrl } from '../helpers/services.js';
import { webhookInboxContract } from './webhook-inbox.contract.js';
import { CouchWebhookInbox } from '../../src/adapters/webhooks/couch-webhook-inbox.js';
import { testCouchCoordination, UNREACHABLE_COUCH } from '../helpers/couch-coordination.js';

webhookInboxContract('memory', async () => new MemoryWebhookInbox());

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
let fileDir = '';
webhookInboxContract(
  'file',
  async () => {
    fileDir = mkdtempSync(join(tmpdir(), 'whirl-test-inbox-'));
    dirs.push(fileDir);
    return openFileWebhookInbox(fileDir);
  },
  { reopen: async () => openFileWebhookInbox(fileDir) },
);
// The same contract while the log is compacted after every handled delivery (appends racing rewrites).
let compactingDir = '';
webhookInboxContract(
  'file, compacting after every delivery',
  async () => {
    compactingDir = mkdtempSync(join(tmpdir(), 'whirl-test-inbox-'));
    dirs.push(compactingDir);
    return openFileWebhookInbox(compactingDir, { compactMinSuperseded: 1 });
  },
  { reopen: async () => openFileWebhookInbox(compactingDir, { compactMinSuperseded: 1 }) },
);

describeWith(['redis'], 'Redis webhook inbox', () => {
  const make = (prefix: string) => new RedisWebhookInbox({ redisUrl: serviceUrl('redis') ?? '', prefix, logger: silentLogger });
  let prefix = '';
  const prefixes: string[] = [];
  afterAll(async () => {
    const redis = new Redis(serviceUrl('redis') ?? '');
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
  webhookInboxContract(
    'redis',
    async () => {
      prefix = `whirl-test-${randomUUID().slice(0, 8)}`;
      prefixes.push(prefix);
      return make(prefix);
    },
    {
      reopen: async () => make(prefix),
      makeUnreachable: async () => new RedisWebhookInbox({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x', logger: silentLogger }),
    },
  );
});

describeWith(['couchdb'], 'CouchDB webhook inbox', () => {
  const base = testCouchCoordination();
  let prefix = '';
  const make = () => new CouchWebhookInbox({ url: base.url, prefix, logger: silentLogger });
  webhookInboxContract(
    'couchdb',
    async () => {
      // One database per test (pending counts are per database); each is destroyed afterwards.
      prefix = `${base.prefix}${randomUUID().slice(0, 6)}_`;
      prefixes.push(prefix);
      return make();
    },
    {
      reopen: async () => make(),
      makeUnreachable: async () => new CouchWebhookInbox({ ...UNREACHABLE_COUCH, logger: silentLogger }),
    },
  );
  const prefixes: string[] = [];
  afterAll(async () => {
    const server = nano(base.url);
    for (const p of prefixes) await server.db.destroy(`${p}coordination`).catch(() => {});
  });
});
