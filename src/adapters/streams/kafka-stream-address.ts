/**
 * A Kafka feed subscription names its source in `StreamSubscription.stream`: `<topic>` on the configured brokers,
 * or `<host:port,host:port>/<topic>` for other brokers (Kafka topic names cannot contain `/`, so the split is
 * unambiguous). This keeps the MessageStreams port unchanged for a source that also has an address.
 */
export interface KafkaStreamAddress {
  brokers: string[];
  topic: string;
}

/** Kafka's legal topic names. */
export const KAFKA_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[\w.-]+:\d{1,5}$/;

export function formatKafkaStream(topic: string, brokers?: string[]): string {
  return brokers && brokers.length > 0 ? `${brokers.join(',')}/${topic}` : topic;
}

/** Parses a stream address; `undefined` when it is not one (bad topic or broker). */
export function parseKafkaStream(stream: string, defaultBrokers: string[]): KafkaStreamAddress | undefined {
  const slash = stream.lastIndexOf('/');
  const topic = slash < 0 ? stream : stream.slice(slash + 1);
  const brokers = slash < 0 ? defaultBrokers : stream.slice(0, slash).split(',').map((b) => b.trim());
  if (!KAFKA_TOPIC.test(topic) || brokers.length === 0 || !brokers.every((b) => BROKER.test(b))) return undefined;
  return { brokers, topic };
}

/** The client's errors nest their causes (AggregateError): one line for logs and 503 messages. */
export function describeKafkaError(err: unknown): string {
  if (err instanceof AggregateError) return [err.message, ...err.errors.map(describeKafkaError)].join('; ');
  return err instanceof Error ? err.message : String(err);
}
