import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebhookDelivery } from '../../ports/webhook-inbox.js';
import { AppendLog } from '../store/file/append-log.js';
import { readLog } from '../store/file/log-file.js';
import { type InboxJournal, MemoryWebhookInbox } from './memory-webhook-inbox.js';

/**
 * The inbox for the embedded default: the in-memory inbox journaled to `<dataDir>/webhooks.log` (JSON lines,
 * fsync'd before `accept` resolves, with the store's torn-tail repair). Lines: `d/<id>` a delivery (a later
 * `_deleted` line removes it once handled), `k/<replay key>` a replay key with its expiry. Opening replays the
 * log, so deliveries accepted before a crash are handed out again. The log is never compacted: at ~1 KiB per
 * delivery that suits a development server, not production (use Redis there).
 */
export async function openFileWebhookInbox(dataDir: string, now: () => number = Date.now): Promise<MemoryWebhookInbox> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'webhooks.log');
  const deliveries = new Map<string, WebhookDelivery>();
  const seen = new Map<string, number>();
  await readLog(path, (line) => {
    if (line._id.startsWith('d/')) {
      if (line._deleted) deliveries.delete(line._id);
      else deliveries.set(line._id, line.delivery as WebhookDelivery);
    } else if (line._id.startsWith('k/') && typeof line.until === 'number' && line.until > now()) {
      seen.set(line._id.slice(2), line.until);
    }
  });
  const log = await AppendLog.open(path);
  const journal: InboxJournal = {
    accepted: (delivery, replayKey, until) =>
      log.append(
        `${JSON.stringify({ _id: `k/${replayKey}`, _rev: '1', until })}\n${JSON.stringify({ _id: `d/${delivery.id}`, _rev: '1', delivery })}\n`,
      ),
    handled: (id) => log.append(`${JSON.stringify({ _id: `d/${id}`, _rev: '2', _deleted: true })}\n`),
    close: () => log.close(),
  };
  return new MemoryWebhookInbox({ now, journal, restored: { deliveries: [...deliveries.values()], seen } });
}
