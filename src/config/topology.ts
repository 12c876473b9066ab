import { WhirlError } from '../errors/whirl-error.js';
import type { Config } from './config.js';

export type CoordinationMode = Config['coordination']['mode'];

/**
 * Where processes share coordination state — the invoker registry, throttle counters, feed schedules and
 * subscriptions, the webhook inbox, composition-engine ownership — decided once, here. `auto` follows the
 * deployment: Redis with the BullMQ queue (it is already there), the store with CouchDB (a Kafka deployment needs
 * no Redis), this process otherwise (the embedded default).
 */
export function resolveCoordination(
  wanted: 'auto' | CoordinationMode,
  queue: Config['queue']['adapter'],
  store: Config['store']['adapter'],
): CoordinationMode {
  if (wanted !== 'auto') return wanted;
  if (queue === 'bullmq') return 'redis';
  return store === 'couchdb' ? 'store' : 'local';
}

/**
 * Refuses, at start, a combination of settings that cannot keep a promise of docs/guarantees.md, saying which and
 * why. Only what one process can see is checked: several `WHIRL_ROLE=all` processes on local coordination cannot be
 * detected from any one of them (docs/guarantees.md says so).
 */
export function refuseUnsafeTopology(config: Config): void {
  const problems = unsafeTopology(config);
  if (problems.length > 0) {
    throw new WhirlError('WHIRL_BAD_REQUEST', [`unsafe configuration: ${problems.join('; ')}`]);
  }
}

export function unsafeTopology(config: Config): string[] {
  const { role } = config;
  const queue = config.queue.adapter;
  const store = config.store.adapter;
  const mode = config.coordination.mode;
  const out: string[] = [];
  const split = role !== 'all';
  if (split && (queue === 'memory' || queue === 'file')) {
    out.push(`WHIRL_ROLE=${role} with WHIRL_QUEUE=${queue}: that queue reaches no other process, so nothing would run`);
  }
  if (store === 'memory' && (split || queue === 'bullmq' || queue === 'kafka')) {
    out.push(
      `WHIRL_STORE=memory with ${split ? `WHIRL_ROLE=${role}` : `WHIRL_QUEUE=${queue}`}: activation records would live ` +
        'in the memory of whichever process ran them, invisible to the API that answers for them and lost with it',
    );
  }
  if (store === 'file' && split) {
    out.push(
      `WHIRL_STORE=file with WHIRL_ROLE=${role}: the data directory belongs to one process, so records written by ` +
        'invokers would be invisible to the API (use WHIRL_STORE=couchdb)',
    );
  }
  if (mode === 'local' && split) {
    out.push(
      `WHIRL_COORDINATION=local with WHIRL_ROLE=${role}: the invoker registry and throttle counters would stay in ` +
        'this process, so the API would never see the invokers (use redis or store)',
    );
  }
  if (mode === 'local' && store === 'couchdb') {
    out.push(
      'WHIRL_COORDINATION=local with WHIRL_STORE=couchdb: the webhook inbox would be in memory, and a delivery ' +
        'answered 202 would be lost with the process (use store or redis)',
    );
  }
  if (mode === 'store' && store !== 'couchdb') {
    out.push(
      `WHIRL_COORDINATION=store with WHIRL_STORE=${store}: only CouchDB is shared between processes ` +
        '(the file store is one process\'s data directory: use local)',
    );
  }
  return out;
}
