import { type ActivationRecord, type StatusCode, makeResponse } from '../../src/domain/activation.js';
import { newActivationId } from '../../src/domain/ids.js';
import type { InvokeOutcome, InvokeRequest, InvokeService } from '../../src/engine/invoke-service.js';
import type { ActivationStore } from '../../src/ports/activation-store.js';

/**
 * Stands in for the engine: records each request, writes a record whose result echoes the payload (or `result`),
 * with the status code a test chooses, and answers blocking calls with it unless `finishInTime` is false.
 */
export class FakeEngine implements InvokeService {
  readonly calls: InvokeRequest[] = [];
  statusCode: StatusCode = 0;
  result: unknown = undefined;
  finishInTime = true;
  private clock = 1_700_000_000_000;

  constructor(private readonly activations: ActivationStore) {}

  async invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    this.calls.push(req);
    const activationId = newActivationId();
    const start = (this.clock += 10);
    const record: ActivationRecord = {
      namespace: req.identity.namespace,
      name: req.action.name,
      version: req.action.version,
      subject: req.identity.subject,
      activationId,
      start,
      end: start + 2,
      duration: 2,
      response: makeResponse(this.statusCode, this.result === undefined ? req.payload : this.result),
      logs: ['2024-01-01T00:00:00.000Z        stdout: hello'],
      annotations: [
        { key: 'path', value: `${req.action.namespace}/${req.action.name}` },
        { key: 'kind', value: req.action.exec.kind },
      ],
      publish: false,
    };
    await this.activations.putBatch([record]);
    return req.blocking && this.finishInTime ? { activationId, record } : { activationId };
  }
}
