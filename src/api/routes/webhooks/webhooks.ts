import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { isRecord } from '../../../domain/activation.js';
import { kvGet } from '../../../domain/key-value.js';
import { isValidName } from '../../../domain/names.js';
import type { Trigger } from '../../../domain/trigger.js';
import { classifyBody } from '../../../domain/web-action.js';
import { parseWebhookConfig, verifyWebhook, WEBHOOK_ANNOTATION } from '../../../domain/webhook.js';
import { forwardedHeaders } from '../../../engine/triggers/fire-trigger.js';
import type { NamespaceThrottle } from '../../../engine/throttles/namespace-throttle.js';
import { WhirlError } from '../../../errors/whirl-error.js';
import type { WebhookInbox } from '../../../ports/webhook-inbox.js';
import type { ApiDeps } from '../../deps.js';
import { OwnerIdentities } from '../web/owner-identities.js';

export interface WebhookRoutesOptions {
  deps: ApiDeps;
  inbox: WebhookInbox;
  throttle?: NamespaceThrottle;
}

/**
 * `POST /api/v1/webhooks/{ns}/{trigger}` (docs/webhooks.md): no Basic auth — the signature is the credential.
 * Order: the trigger must exist with a `webhook` annotation (else 404); the signature is checked on the raw bytes
 * (401); the namespace's fire throttle is taken (429, so the sender retries later); the delivery is stored in the
 * inbox together with its replay key (401 when the key was seen). Only then 202 `{deliveryId}`: the worker fires
 * the trigger from the inbox, so an accepted delivery outlives this process.
 *
 * The inbox keeps what firing needs: the payload and the headers actions see (`forwardedHeaders`: no
 * `Authorization`, `Cookie` or `Proxy-Authorization`). The replay key comes from the signature only, and is kept at
 * least as long as a signed timestamp stays acceptable, so a captured delivery cannot be accepted twice.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (scope, { deps, inbox, throttle }) => {
  const owners = new OwnerIdentities(deps.entities, deps.clock);
  const { webhooks, limits } = deps.config;

  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  scope.post<{ Params: { ns: string; trigger: string } }>(
    '/:ns/:trigger',
    { bodyLimit: limits.maxPayloadBytes },
    async (request, reply) => {
      const { ns, trigger } = request.params;
      if (!isValidName(ns) || !isValidName(trigger)) throw new WhirlError('WHIRL_NOT_FOUND');
      const found = await deps.entities.get<Trigger>('triggers', ns, trigger);
      const annotation = kvGet(found?.doc.annotations, WEBHOOK_ANNOTATION);
      const identity = found && annotation !== undefined ? await owners.of(ns) : undefined;
      if (!identity) throw new WhirlError('WHIRL_NOT_FOUND');

      const config = parseWebhookConfig(annotation, webhooks.toleranceSec);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const received: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (v !== undefined) received[k.toLowerCase()] = String(v);
      const { replayKey } = verifyWebhook(config, raw, received, deps.clock.now());
      const headers = forwardedHeaders(received);
      await throttle?.admitFire(ns);

      const deliveryId = randomUUID().replaceAll('-', '');
      const verdict = await inbox.accept(
        {
          id: deliveryId,
          identity,
          trigger,
          payload: payloadOf(headers['content-type'], raw),
          headers,
          receivedAt: deps.clock.now(),
          transactionId: String(request.id),
        },
        `${ns}/${trigger}/${replayKey}`,
        Math.max(webhooks.replayWindowSec, config.toleranceSec) * 1000,
      );
      if (verdict === 'replay') throw new WhirlError('WHIRL_WEBHOOK_REPLAY', [replayKey]);
      return reply.code(202).send({ deliveryId });
    },
  );
};

/** A JSON object or form is the trigger payload; any other body arrives as `{__ow_body}` (as web actions do). */
function payloadOf(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  let body;
  try {
    body = classifyBody(contentType, raw, false);
  } catch (e) {
    throw new WhirlError('WHIRL_INVALID_JSON', [(e as Error).message]);
  }
  if (body.kind === 'none') return {};
  if (body.kind === 'json' && isRecord(body.value)) return body.value;
  return { __ow_body: body.value };
}
