import { WhirlError } from '../../errors/whirl-error.js';
import type { MessageStreams } from '../../ports/message-streams.js';
import type { FeedEvent, FeedProvider } from './feed-provider.js';

/** Redis stream keys Whirl accepts: printable, no spaces, bounded. */
const STREAM_NAME = /^[\w:.\-/{}]{1,200}$/;

/**
 * The message-queue feed (`/whisk.system/messaging/redisStream`): parameter `stream` names a Redis stream; every
 * message appended after CREATE fires the trigger once with payload `{stream, id, fields: {…}}`. Delivery is at
 * least once: a message is acknowledged only after the trigger fired (or was found to have no active rule).
 * PAUSE keeps the position and UNPAUSE resumes from it; DELETE drops the subscription.
 */
export class StreamFeed implements FeedProvider {
  constructor(private readonly streams: MessageStreams) {}

  async handle(event: FeedEvent): Promise<Record<string, unknown>> {
    const id = `${event.identity.namespace}/${event.trigger}`;
    switch (event.lifecycleEvent) {
      case 'CREATE':
      case 'UPDATE': {
        const stream = event.params.stream;
        if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) {
          throw new WhirlError('WHIRL_FEED_INVALID', ['stream must name a Redis stream']);
        }
        await this.streams.subscribe({
          id,
          namespace: event.identity.namespace,
          trigger: event.trigger,
          subject: event.identity.subject,
          uuid: event.identity.uuid,
          stream,
          paused: false,
        });
        return { status: 'active', id, stream };
      }
      case 'DELETE':
        await this.streams.unsubscribe(id);
        return { status: 'deleted', id };
      case 'READ': {
        const sub = await this.existing(id);
        return { status: sub.paused ? 'inactive' : 'active', config: sub };
      }
      case 'PAUSE':
      case 'UNPAUSE': {
        await this.existing(id);
        const paused = event.lifecycleEvent === 'PAUSE';
        await this.streams.setPaused(id, paused);
        return { status: paused ? 'inactive' : 'active', id };
      }
    }
  }

  private async existing(id: string) {
    const sub = await this.streams.get(id);
    if (!sub) throw new WhirlError('WHIRL_NOT_FOUND');
    return sub;
  }
}
