import { parseActivationId } from '../../domain/ids.js';
import { isWhirlError } from '../../errors/whirl-error.js';
import type { Logger } from '../../ports/logger.js';
import type { InboxConsumer, WebhookDelivery, WebhookInbox } from '../../ports/webhook-inbox.js';
import { fireTrigger, type TriggerFiringDeps } from '../triggers/fire-trigger.js';

/**
 * Fires the trigger of every delivery in the webhook inbox (docs/webhooks.md). Runs in each API process (unless
 * `WHIRL_WEBHOOK_WORKER=false`); the inbox hands each delivery to one of them.
 *
 * A delivery leaves the inbox only once its trigger fired (the trigger activation is stored by then) or once it
 * is certain it never can: the trigger or namespace is gone, or the fire was refused as a client error (those are
 * logged and dropped). Anything else (store or queue down) leaves it for a retry. A crash between the fire and the
 * removal fires it again: at-least-once.
 */
export class WebhookWorker {
  private consumer: InboxConsumer | undefined;

  constructor(
    private readonly deps: {
      inbox: WebhookInbox;
      firing: TriggerFiringDeps;
      logger: Logger;
      retryMs?: number;
      claimAfterMs?: number;
    },
  ) {}

  async start(): Promise<void> {
    this.consumer = await this.deps.inbox.consume((d) => this.fire(d), {
      ...(this.deps.retryMs !== undefined ? { retryMs: this.deps.retryMs } : {}),
      ...(this.deps.claimAfterMs !== undefined ? { claimAfterMs: this.deps.claimAfterMs } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.close();
    this.consumer = undefined;
  }

  private async fire(d: WebhookDelivery): Promise<void> {
    try {
      // The delivery id (32 hex) is the trigger activation's: a delivery fired again after a crash (the inbox is
      // at-least-once) is the same activation, and its rules' activations too: each runs and is recorded once.
      const activationId = parseActivationId(d.id);
      const outcome = await fireTrigger(this.deps.firing, d.identity, d.trigger, d.payload, d.headers, {
        transactionId: d.transactionId,
        ...(activationId ? { activationId } : {}),
      });
      this.deps.logger.debug({ delivery: d.id, trigger: d.trigger, ...outcome }, 'webhook delivery fired');
    } catch (err) {
      if (isWhirlError(err) && err.status < 500) {
        this.deps.logger.warn({ delivery: d.id, trigger: d.trigger, code: err.code }, 'webhook delivery dropped');
        return;
      }
      throw err;
    }
  }
}
