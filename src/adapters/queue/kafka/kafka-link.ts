import { randomUUID } from 'node:crypto';
import { Admin, type BaseOptions } from '@platformatic/kafka';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { KafkaTopics } from './topics.js';

/** What every client of one Kafka activation queue shares. */
export interface KafkaSettings {
  brokers: string[];
  topics: KafkaTopics;
  /** Partitions of the shared work topic and of the state topic: the most invokers that share work at once. */
  partitions: number;
  /** Time without heartbeat after which a consumer is dead and its partitions move: the crash detection bound. */
  sessionTimeoutMs: number;
  /** Longest wait for a broker answer (connect and request) before `publish` gives up with 503. */
  requestTimeoutMs: number;
}

/** Connection options shared by producer, consumers and admin: fail fast, the port's callers decide on retries. */
export function clientOptions(settings: KafkaSettings, role: string): BaseOptions {
  return {
    clientId: `whirl-${role}-${randomUUID().slice(0, 8)}`,
    bootstrapBrokers: settings.brokers,
    connectTimeout: settings.requestTimeoutMs,
    timeout: settings.requestTimeoutMs,
    retries: 2,
    retryDelay: 200,
  };
}

/**
 * Creates the topics this queue needs (idempotent: "already exists" is success). Work topics keep records until
 * retention; the state topic is compacted (the latest marker per activation id is all that matters) and deleted
 * after `stateRetentionMs`.
 */
export async function ensureTopics(
  admin: Admin,
  settings: KafkaSettings,
  work: string[],
  known: Set<string>,
): Promise<void> {
  const missing = [...new Set([...work, settings.topics.state, settings.topics.completions])].filter(
    (t) => !known.has(t),
  );
  if (missing.length === 0) return;
  const existing = new Set(await admin.listTopics());
  for (const topic of missing) {
    if (!existing.has(topic)) {
      const perInvoker = topic !== settings.topics.shared && topic.startsWith(settings.topics.workPrefix);
      const partitions = topic === settings.topics.completions || perInvoker ? 1 : settings.partitions;
      const configs =
        topic === settings.topics.state
          ? [
              { name: 'cleanup.policy', value: 'compact,delete' },
              { name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) },
            ]
          : [];
      await admin.createTopics({ topics: [topic], partitions, replicas: 1, configs }).catch((err: unknown) => {
        if (!/already exists/i.test(describe(err))) throw err;
      });
    }
    known.add(topic);
  }
}

export function unavailable(reason: string, cause?: unknown): WhirlError {
  return new WhirlError('WHIRL_QUEUE_UNAVAILABLE', [reason], { cause });
}

/** Any failure talking to Kafka, as the port's error. WhirlErrors pass through. */
export function asUnavailable(err: unknown): WhirlError {
  if (err instanceof WhirlError) return err;
  return unavailable(describe(err), err);
}

/** The client's errors nest their causes (AggregateError): flatten them into one line. */
export function describe(err: unknown): string {
  if (err instanceof AggregateError) return [err.message, ...err.errors.map(describe)].join('; ');
  return err instanceof Error ? err.message : String(err);
}

/** Force-closes a client (its streams too), never rejecting: used on shutdown and failed starts. */
export function forceClose(client: { close(force: boolean, callback: (err?: Error | null) => void): void }): Promise<void> {
  return new Promise((resolve) => client.close(true, () => resolve()));
}
