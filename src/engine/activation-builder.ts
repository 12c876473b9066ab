import type { ActivationMessage } from '../domain/activation-message.js';
import type { ActivationId } from '../domain/ids.js';
import { kvMerge, kvToObject } from '../domain/key-value.js';
import type { InvokeRequest } from './invoke-service.js';

/**
 * Turns an invoke request into the queue message (pure).
 * Parameter precedence: action defaults < invocation payload. An array payload replaces the parameters wholesale
 * (OpenWhisk's array-input behaviour). Parameters marked `init` go to `/init` as environment, not to `/run`.
 */
export function buildActivationMessage(
  req: InvokeRequest,
  activationId: ActivationId,
  acceptedAt: number,
  replyTo: string | undefined,
): ActivationMessage {
  const runParams = req.action.parameters.filter((p) => !p.init);
  const initEnv: Record<string, string> = {};
  for (const p of req.action.parameters) {
    if (p.init) initEnv[p.key] = typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
  }
  const params = Array.isArray(req.payload)
    ? req.payload
    : { ...kvToObject(runParams), ...(req.payload as Record<string, unknown> | undefined) };
  const msg: ActivationMessage = {
    activationId,
    transactionId: req.transactionId,
    namespace: req.identity.namespace,
    subject: req.identity.subject,
    action: {
      namespace: req.action.namespace,
      name: req.action.name,
      version: req.action.version,
      revision: req.revision,
      exec: req.action.exec,
      limits: req.action.limits,
      annotations: kvMerge(req.action.annotations),
      initEnv,
    },
    params,
    acceptedAt,
  };
  if (replyTo !== undefined) msg.replyTo = replyTo;
  if (req.cause !== undefined) msg.cause = req.cause;
  return msg;
}
