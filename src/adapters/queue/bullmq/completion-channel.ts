import type { CompletionMessage } from '../../../domain/activation-message.js';
import type { Logger } from '../../../ports/logger.js';
import type { Subscription } from '../../../ports/activation-queue.js';
import { RedisLink, asUnavailable } from '../../redis/redis-link.js';

/** The pub/sub channel on which `instanceId`'s completions travel. */
export function completionChannel(queueName: string, instanceId: string): string {
  return `${queueName}:done:${instanceId}`;
}

/**
 * One dedicated subscriber connection per subscription (a subscribed ioredis connection can run nothing else).
 * Pub/sub is fire-and-forget, which matches the port: completions are best effort, the record is the truth.
 * ioredis re-subscribes by itself after a reconnect; completions published while disconnected are lost.
 */
export async function subscribeChannel(
  redisUrl: string,
  channel: string,
  listener: (c: CompletionMessage) => void,
  logger: Logger,
  connectTimeoutMs: number,
): Promise<Subscription> {
  const link = new RedisLink({ url: redisUrl, logger, connectTimeoutMs, purpose: 'completions' });
  try {
    await link.ready();
    await link.client.subscribe(channel);
  } catch (err) {
    await link.close();
    throw asUnavailable(err);
  }
  link.client.on('message', (ch: string, raw: string) => {
    if (ch === channel) deliver(raw, listener, logger);
  });
  let closing: Promise<void> | undefined;
  return {
    close: () => (closing ??= link.close()),
  };
}

/**
 * Hands a serialised completion — or an array of them, as a publisher that batched one turn's completions sends —
 * to the listener; a malformed message or a throwing listener is logged.
 */
export function deliver(raw: string, listener: (c: CompletionMessage) => void, logger: Logger): void {
  let parsed: CompletionMessage | CompletionMessage[];
  try {
    parsed = JSON.parse(raw) as CompletionMessage | CompletionMessage[];
  } catch (err) {
    logger.error({ err }, 'malformed completion message');
    return;
  }
  for (const completion of Array.isArray(parsed) ? parsed : [parsed]) {
    try {
      listener(completion);
    } catch (err) {
      logger.error({ err, activationId: completion.activationId }, 'completion listener threw');
    }
  }
}
