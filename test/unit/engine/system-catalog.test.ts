import { describe, expect, it } from 'vitest';
import { MemoryEntityStore } from '../../../src/adapters/store/memory/index.js';
import type { Action } from '../../../src/domain/action.js';
import type { Package } from '../../../src/domain/package.js';
import { seedSystemCatalog } from '../../../src/engine/catalog/seed-catalog.js';
import { systemCatalog } from '../../../src/engine/catalog/system-catalog.js';

const limits = { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 };
const feedNames = ['/whisk.system/alarms/alarm', '/whisk.system/alarms/once', '/whisk.system/messaging/redisStream'];

describe('the whisk.system catalog', () => {
  it('holds utils and one published package per built-in feed package, feeds annotated feed: true', () => {
    const c = systemCatalog({ nodejsKind: 'nodejs:20', limits, feedNames });
    expect(c.packages.map((p) => [p.name, p.publish])).toEqual([['utils', true], ['alarms', true], ['messaging', true]]);
    expect(c.actions.filter((a) => a.namespace === 'whisk.system/utils')).toHaveLength(9);
    const once = c.actions.find((a) => a.name === 'once')!;
    expect(once.namespace).toBe('whisk.system/alarms');
    expect(once.annotations).toContainEqual({ key: 'feed', value: true });
  });

  it('seeds idempotently: a second seed writes nothing; a changed action is rewritten with its version bumped', async () => {
    const entities = new MemoryEntityStore();
    const first = systemCatalog({ nodejsKind: 'nodejs:20', limits, feedNames });
    expect(await seedSystemCatalog(entities, first, 1000)).toBe(first.packages.length + first.actions.length);
    const before = await entities.get<Action>('actions', 'whisk.system/utils', 'echo');
    expect(await seedSystemCatalog(entities, first, 2000)).toBe(0);
    expect((await entities.get<Action>('actions', 'whisk.system/utils', 'echo'))?.rev).toBe(before?.rev);

    const changed = systemCatalog({ nodejsKind: 'nodejs:22', limits, feedNames });
    expect(await seedSystemCatalog(entities, changed, 3000)).toBe(changed.actions.length);
    const after = await entities.get<Action>('actions', 'whisk.system/utils', 'echo');
    expect(after?.doc).toMatchObject({ version: '0.0.2', updated: 3000, exec: { kind: 'nodejs:22' } });
    expect((await entities.get<Package>('packages', 'whisk.system', 'utils'))?.doc.version).toBe('0.0.1');
  });

  it('tolerates concurrent seeders (every write race lost is another process writing the same documents)', async () => {
    const entities = new MemoryEntityStore();
    const c = systemCatalog({ nodejsKind: 'nodejs:20', limits, feedNames });
    await Promise.all([seedSystemCatalog(entities, c, 1), seedSystemCatalog(entities, c, 1), seedSystemCatalog(entities, c, 1)]);
    expect(await entities.count('actions', 'whisk.system/utils')).toBe(9);
  });
});
