import type { ActivationRecord } from '../../domain/activation.js';
import type { Metrics } from '../../ports/metrics.js';
import type { RecordSink } from '../../ports/record-sink.js';

/**
 * A RecordSink that counts each activation once its record is stored: every accepted activation ends with exactly
 * one record, so counting here counts every activation once, whatever path produced it (run, failed start,
 * redelivery after a crash). A record that could not be stored is not counted (the write rejects).
 */
export function meteredRecordSink(inner: RecordSink, metrics: Metrics): RecordSink {
  return {
    async write(record: ActivationRecord): Promise<void> {
      await inner.write(record);
      metrics.activationFinished(record);
    },
  };
}
