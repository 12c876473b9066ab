import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileScheduleStore } from '../../../src/adapters/schedules/file-schedule-store.js';
import { FileActivationStore, FileEntityStore } from '../../../src/adapters/store/file/index.js';
import { FileExecutionStore } from '../../../src/adapters/store/file/file-execution-store.js';
import { openFileWebhookInbox } from '../../../src/adapters/webhooks/file-webhook-inbox.js';

/** Every file adapter keeps its data dir 0700 and its files 0600, also when they were created with other modes. */
describe('data file modes', () => {
  const root = mkdtempSync(join(tmpdir(), 'whirl-modes-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the data dir 0700 and every file 0600, and sets them back on open', async () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'entities.jsonl'), '', { mode: 0o644 });
    chmodSync(join(dir, 'entities.jsonl'), 0o644);
    const entities = await FileEntityStore.open({ dir });
    await entities.put('actions', { namespace: 'n', name: 'a', updated: 1 } as never);
    const activations = await FileActivationStore.open({ dir });
    const executions = await FileExecutionStore.open({ dir });
    const schedules = await FileScheduleStore.open({ dir });
    await schedules.put({ id: 's', namespace: 'n', trigger: 't', cron: '* * * * *' } as never);
    const inbox = await openFileWebhookInbox(dir);
    await inbox.accept({ id: 'd1', identity: { namespace: 'n', subject: 'n', uuid: 'u' }, trigger: 't', payload: {}, headers: {}, receivedAt: 1, transactionId: 'x' }, 'k', 60_000);
    for (const s of [entities, activations, executions, schedules, inbox]) await s.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const st = statSync(join(dir, f));
      // Directories inside the data dir (per-execution histories) are private too: 0700.
      expect([f, st.mode & 0o777]).toEqual([f, st.isDirectory() ? 0o700 : 0o600]);
    }
  });
});
