import { WhirlError } from '../../errors/whirl-error.js';
import type { MessageStreams } from '../../ports/message-streams.js';
import type { FeedEvent, FeedProvider } from './feed-provider.js';
import { StreamFeed } from './stream-feed.js';

/** Kafka's legal topic names, and `host:port` brokers. */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[\w.-]+:\d{1,5}$/;

/**
 * The Kafka feed (`/whisk.system/messaging/kafkaTopic`): parameter `topic`, optional `brokers` (`host:port` list or
 * comma-separated string; default WHIRL_KAFKA_BROKERS). Every record produced after CREATE fires the trigger once
 * with payload `{topic, id: '<partition>-<offset>', fields}` (see docs/feeds.md). The subscription's stream is the
 * address `<topic>` or `<brokers>/<topic>` understood by the Kafka MessageStreams adapter; every other lifecycle
 * event behaves exactly as the Redis-stream feed's, so it is delegated to it.
 */
export class KafkaTopicFeed implements FeedProvider {
  private readonly lifecycle: StreamFeed;

  constructor(private readonly streams: MessageStreams) {
    this.lifecycle = new StreamFeed(streams);
  }

  async handle(event: FeedEvent): Promise<Record<string, unknown>> {
    if (event.lifecycleEvent !== 'CREATE' && event.lifecycleEvent !== 'UPDATE') return this.lifecycle.handle(event);
    const { topic, brokers } = parse(event.params);
    const id = `${event.identity.namespace}/${event.trigger}`;
    await this.streams.subscribe({
      id,
      namespace: event.identity.namespace,
      trigger: event.trigger,
      subject: event.identity.subject,
      uuid: event.identity.uuid,
      stream: brokers ? `${brokers.join(',')}/${topic}` : topic,
      paused: false,
    });
    return { status: 'active', id, topic, ...(brokers ? { brokers } : {}) };
  }
}

function parse(params: Record<string, unknown>): { topic: string; brokers?: string[] } {
  const { topic, brokers } = params;
  if (typeof topic !== 'string' || !TOPIC.test(topic)) throw new WhirlError('WHIRL_FEED_INVALID', ['topic must name a Kafka topic']);
  if (brokers === undefined || brokers === '') return { topic };
  const list = (Array.isArray(brokers) ? brokers : typeof brokers === 'string' ? brokers.split(',') : [brokers]).map((b) =>
    typeof b === 'string' ? b.trim() : b,
  );
  if (list.length === 0 || !list.every((b): b is string => typeof b === 'string' && BROKER.test(b))) {
    throw new WhirlError('WHIRL_FEED_INVALID', ['brokers must be host:port, comma-separated']);
  }
  return { topic, brokers: list };
}
