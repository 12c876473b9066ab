import { join } from 'node:path';
import type { WebhookDelivery } from '../../ports/webhook-inbox.js';
import { AppendLog } from '../store/file/append-log.js';
import { readLog, rewriteLog, shouldCompact } from '../store/file/log-file.js';
import { ensurePrivateDir } from '../store/file/private-files.js';
import { type InboxJournal, MemoryWebhookInbox } from './memory-webhook-inbox.js';

export interface FileInboxOptions {
  now?: () => number;
  /** Superseded lines tolerated before a log is compacted while deliveries are pending (default 256). */
  compactMinSuperseded?: number;
}

/**
 * The inbox for the embedded default: the in-memory inbox journaled to two JSON-lines files in the data dir (0600,
 * fsync'd before `accept` resolves, with the store's torn-tail repair):
 *
 * - `webhooks.log`: the deliveries not yet fired. `d/<id>` holds a delivery with its replay key and that key's
 *   expiry (one line, so accepting is one atomic append); a later `_deleted` line removes it once handled. Once no
 *   delivery is pending (or superseded lines outnumber pending ones) the replay keys of the fired deliveries are
 *   filed in the key log and this log is rewritten with the pending deliveries only — empty when all are fired —
 *   so fired payloads do not stay on disk.
 * - `webhook-keys.log`: `k/<replay key>` with its expiry, for the replay window; compacted to the unexpired keys.
 *
 * Opening replays both, so deliveries accepted before a crash are handed out again and their keys still refuse
 * replays. Appends wait while a log is rewritten.
 */
export async function openFileWebhookInbox(dataDir: string, options: FileInboxOptions = {}): Promise<MemoryWebhookInbox> {
  const { now = Date.now, compactMinSuperseded = 256 } = options;
  await ensurePrivateDir(dataDir);
  const deliveriesPath = join(dataDir, 'webhooks.log');
  const keysPath = join(dataDir, 'webhook-keys.log');

  const pending = new Map<string, DeliveryLine>();
  const seen = new Map<string, number>();
  /** Keys of fired deliveries not yet in the key log (they are still in a delivery line). */
  const unfiled = new Map<string, number>();
  let keyLines = await readLog(keysPath, (line) => {
    if (line._id.startsWith('k/') && typeof line.until === 'number') seen.set(line._id.slice(2), line.until);
  });
  let deliveryLines = await readLog(deliveriesPath, (line) => {
    if (!line._id.startsWith('d/')) return;
    const id = line._id.slice(2);
    const kept = pending.get(id);
    if (line._deleted) {
      pending.delete(id);
      if (kept) unfiled.set(kept.replayKey, kept.until);
    } else {
      const entry = line as unknown as DeliveryLine;
      pending.set(id, entry);
      seen.set(entry.replayKey, entry.until);
    }
  });

  const unexpired = (): Array<[string, number]> => {
    const at = now();
    for (const [k, until] of seen) if (until <= at) seen.delete(k);
    return [...seen];
  };
  const fileKeys = async (): Promise<void> => {
    if (unfiled.size > 0) {
      await keys.append([...unfiled].map(([k, until]) => `${keyLine(k, until)}\n`).join(''));
      keyLines += unfiled.size;
      unfiled.clear();
    }
    if (shouldCompact(keyLines, seen.size, compactMinSuperseded)) {
      const kept = unexpired().map(([k, until]) => keyLine(k, until));
      await keys.close();
      await rewriteLog(keysPath, kept);
      keyLines = kept.length;
      keys = await AppendLog.open(keysPath);
    }
  };

  let keys = await AppendLog.open(keysPath);
  let log: AppendLog;
  const rewriteDeliveries = async (): Promise<void> => {
    await fileKeys();
    const kept = [...pending.values()].map((d) => JSON.stringify(d));
    await rewriteLog(deliveriesPath, kept);
    deliveryLines = kept.length;
  };
  if (deliveryLines > pending.size) await rewriteDeliveries();
  log = await AppendLog.open(deliveriesPath);

  // Appends run concurrently (the log's group commit); a rewrite waits for them and holds new ones back.
  let compacting: Promise<void> | undefined;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  /** `written` updates the in-memory mirror before a waiting rewrite can read it. */
  const append = async (text: string, written: () => void): Promise<void> => {
    while (compacting) await compacting;
    inFlight++;
    try {
      await log.append(text);
      deliveryLines++;
      written();
    } finally {
      if (--inFlight === 0) drained?.();
    }
  };
  const compact = (): Promise<void> => {
    compacting ??= (async () => {
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      drained = undefined;
      await log.close();
      try {
        await rewriteDeliveries();
      } finally {
        log = await AppendLog.open(deliveriesPath);
      }
    })().finally(() => {
      compacting = undefined;
    });
    return compacting;
  };

  const journal: InboxJournal = {
    accepted: async (delivery, replayKey, until) => {
      const line: DeliveryLine = { _id: `d/${delivery.id}`, _rev: '1', delivery, replayKey, until };
      await append(`${JSON.stringify(line)}\n`, () => {
        pending.set(delivery.id, line);
        seen.set(replayKey, until);
      });
    },
    handled: async (id) => {
      await append(`${JSON.stringify({ _id: `d/${id}`, _rev: '2', _deleted: true })}\n`, () => {
        const fired = pending.get(id);
        pending.delete(id);
        if (fired) unfiled.set(fired.replayKey, fired.until);
      });
      if (pending.size === 0 || shouldCompact(deliveryLines, pending.size, compactMinSuperseded)) await compact();
    },
    close: async () => {
      while (compacting) await compacting;
      await log.close();
      await keys.close();
    },
  };
  const restored = new Map(unexpired());
  const deliveries = [...pending.values()].map((d) => d.delivery);
  return new MemoryWebhookInbox({ now, journal, restored: { deliveries, seen: restored } });
}

interface DeliveryLine {
  _id: string;
  _rev: string;
  delivery: WebhookDelivery;
  replayKey: string;
  until: number;
}

function keyLine(replayKey: string, until: number): string {
  return JSON.stringify({ _id: `k/${replayKey}`, _rev: '1', until });
}
