import type { Identity } from '../../domain/identity.js';
import { isWhirlError } from '../../errors/whirl-error.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageStreams, StreamSubscription } from '../../ports/message-streams.js';
import type { MissedTickPolicy, ScheduleStore } from '../../ports/schedule-store.js';
import { Scheduler } from '../schedules/scheduler.js';
import { type TriggerFiringDeps, fireTrigger } from '../triggers/fire-trigger.js';
import { AlarmFeed } from './alarm-feed.js';
import { BuiltinFeeds, SYSTEM_NAMESPACE } from './builtin-feeds.js';
import type { FeedProvider } from './feed-provider.js';
import { KafkaTopicFeed } from './kafka-topic-feed.js';
import { StreamFeed } from './stream-feed.js';

export interface FeedRuntimeOptions {
  schedulePollMs: number;
  toleranceMs: number;
  missed: MissedTickPolicy;
  maxCatchUp: number;
  streamPollMs: number;
  streamRetryMs: number;
  /** Unique per API process (the stream consumer name). */
  consumerId: string;
}

export interface FeedRuntime {
  feeds: BuiltinFeeds;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * The built-in feeds of one API process: the alarm feeds on a shared ScheduleStore, polled by this process's
 * Scheduler, and the Redis-stream feed consumed by this process. Every tick and message becomes `fireTrigger` as
 * the trigger's owner; a trigger that no longer exists ends its schedule or subscription.
 */
export function startFeedRuntime(deps: {
  schedules: ScheduleStore;
  streams: MessageStreams;
  /** Kafka topics (the `/whisk.system/messaging/kafkaTopic` feed), when Kafka is configured. */
  kafkaStreams?: MessageStreams;
  firing: TriggerFiringDeps;
  clock: Clock;
  logger: Logger;
  options: FeedRuntimeOptions;
}): FeedRuntime {
  const { options, firing, logger } = deps;
  const alarm = (kind: 'alarm' | 'interval' | 'once') =>
    new AlarmFeed(kind, { store: deps.schedules, clock: deps.clock, defaultMissed: options.missed });
  const providers = new Map<string, FeedProvider>([
    [`/${SYSTEM_NAMESPACE}/alarms/alarm`, alarm('alarm')],
    [`/${SYSTEM_NAMESPACE}/alarms/interval`, alarm('interval')],
    [`/${SYSTEM_NAMESPACE}/alarms/once`, alarm('once')],
    [`/${SYSTEM_NAMESPACE}/messaging/redisStream`, new StreamFeed(deps.streams)],
  ]);
  if (deps.kafkaStreams) providers.set(`/${SYSTEM_NAMESPACE}/messaging/kafkaTopic`, new KafkaTopicFeed(deps.kafkaStreams));

  const scheduler = new Scheduler({
    store: deps.schedules,
    clock: deps.clock,
    logger: logger.child({ component: 'scheduler' }),
    options: { pollMs: options.schedulePollMs, toleranceMs: options.toleranceMs, maxCatchUp: options.maxCatchUp },
    fire: async (s) => {
      await fireTrigger(firing, owner(s), s.trigger, s.payload);
    },
  });
  scheduler.start();

  const consumeInto = (streams: MessageStreams, source: (sub: StreamSubscription) => Record<string, string>) =>
    streams.consume(
      async (sub, message) => {
        try {
          await fireTrigger(firing, owner(sub), sub.trigger, { ...source(sub), id: message.id, fields: message.fields });
        } catch (err) {
          if (!isWhirlError(err, 'WHIRL_NOT_FOUND')) throw err;
          // The trigger is gone: end the subscription; the message is acknowledged (nobody wants it).
          await streams.unsubscribe(sub.id);
        }
      },
      { consumerId: options.consumerId, pollMs: options.streamPollMs, retryMs: options.streamRetryMs },
    );
  const stopConsuming = consumeInto(deps.streams, (sub) => ({ stream: sub.stream }));
  // A Kafka subscription's stream is `<topic>` or `<brokers>/<topic>`: the payload names the topic.
  const stopKafka = deps.kafkaStreams
    ? consumeInto(deps.kafkaStreams, (sub) => ({ topic: sub.stream.slice(sub.stream.lastIndexOf('/') + 1) }))
    : undefined;

  return {
    feeds: new BuiltinFeeds(providers),
    scheduler,
    async stop() {
      await scheduler.stop();
      await stopConsuming();
      await stopKafka?.();
    },
  };
}

function owner(s: { namespace: string; subject: string; uuid: string }): Identity {
  return { namespace: s.namespace, subject: s.subject, uuid: s.uuid };
}
