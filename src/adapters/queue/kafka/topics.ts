/**
 * Topic and group names of one Kafka activation queue (`name` is WHIRL_QUEUE_NAME, so several Whirls can share a
 * cluster). Routing is **topic per invoker**: placement (`publish(msg, {invokerId})`) writes to that invoker's own
 * topic, which only that invoker subscribes to; untargeted work goes to the shared topic, whose partitions the
 * consumer group spreads over every invoker. Within a topic the record key is the activation id.
 */
export interface KafkaTopics {
  /** Shared work (any invoker). */
  shared: string;
  /** Work placed on one invoker. */
  invoker(invokerId: string): string;
  /** Prefix of every work topic (shared and per invoker), for depth(). */
  workPrefix: string;
  /** Delivery markers (started / done, keyed by activation id): see delivery-state.ts. */
  state: string;
  /** Completions back to API instances, keyed by instance id. */
  completions: string;
  /** The consumer group of all invokers. */
  group: string;
}

/** Kafka topic names allow [a-zA-Z0-9._-] up to 249 characters. */
const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function kafkaTopics(name: string): KafkaTopics {
  if (!LEGAL.test(name) || name.length > 120) throw new Error(`invalid Kafka queue name '${name}'`);
  const workPrefix = `${name}.work`;
  return {
    shared: `${workPrefix}.shared`,
    invoker: (invokerId) => `${workPrefix}.invoker.${safe(invokerId)}`,
    workPrefix,
    state: `${name}.state`,
    completions: `${name}.completions`,
    group: `${name}.invokers`,
  };
}

/** Invoker ids are ours (`invoker0`, `test-…`), but anything outside Kafka's alphabet is replaced, not rejected. */
function safe(id: string): string {
  return id.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 100);
}
