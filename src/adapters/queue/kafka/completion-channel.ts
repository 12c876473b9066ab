import { randomUUID } from 'node:crypto';
import { Consumer as KafkaClient } from '@platformatic/kafka';
import type { CompletionMessage } from '../../../domain/activation-message.js';
import type { Subscription } from '../../../ports/activation-queue.js';
import type { Logger } from '../../../ports/logger.js';
import { clientOptions, describe, forceClose, type KafkaSettings } from './kafka-link.js';

/**
 * Completions travel on one topic keyed by the API instance id. Each subscription is a consumer alone in a
 * throwaway group that starts at the topic's end as of `subscribe` (so anything published after it resolves is
 * seen) and keeps only its instance's records. Best effort, as the port says: nothing is committed, a subscriber
 * that was down misses what was published meanwhile (the record is the durable truth).
 */
export async function subscribeCompletions(
  settings: KafkaSettings,
  instanceId: string,
  listener: (c: CompletionMessage) => void,
  logger: Logger,
): Promise<Subscription> {
  const topic = settings.topics.completions;
  const client = new KafkaClient<Buffer, Buffer, Buffer, Buffer>({
    ...clientOptions(settings, `api-${instanceId}`),
    groupId: `${topic}.${instanceId}.${randomUUID()}`,
    sessionTimeout: Math.max(settings.sessionTimeoutMs, 6000),
    heartbeatInterval: 1000,
    minBytes: 1, // answer as soon as a completion is appended (maxWaitTime only bounds an idle poll)
    maxWaitTime: 100,
    retries: true,
    retryDelay: 500,
  });
  try {
    const ends = await client.listOffsets({ topics: [topic] });
    const offsets = (ends.get(topic) ?? []).map((offset, partition) => ({ topic, partition, offset }));
    const stream = await client.consume({ topics: [topic], mode: 'manual', offsets, autocommit: false });
    stream.on('error', (err: unknown) => logger.warn({ err: describe(err) }, 'kafka completion stream error'));
    stream.on('data', (m: { key: Buffer; value: Buffer }) => {
      if (m.key.toString('utf8') !== instanceId) return;
      let completion: CompletionMessage;
      try {
        completion = JSON.parse(m.value.toString('utf8')) as CompletionMessage;
      } catch (err) {
        logger.error({ err, instanceId }, 'malformed completion message');
        return;
      }
      try {
        listener(completion);
      } catch (err) {
        logger.error({ err, activationId: completion.activationId }, 'completion listener threw');
      }
    });
    let closing: Promise<void> | undefined;
    return {
      close: () =>
        (closing ??= (async () => {
          await stream.close().catch(() => {});
          await forceClose(client);
        })()),
    };
  } catch (err) {
    await forceClose(client);
    throw err;
  }
}
