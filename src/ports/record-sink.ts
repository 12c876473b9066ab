import type { ActivationRecord } from '../domain/activation.js';

/**
 * Where finished activations go. `write` resolves once the record is durably stored (the engine's RecordWriter
 * batches them into the ActivationStore); callers acknowledge queue deliveries only after that.
 */
export interface RecordSink {
  write(record: ActivationRecord): Promise<void>;
}
