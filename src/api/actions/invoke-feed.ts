import { type ActivationRecord, StatusCode, servedRecord } from '../../domain/activation.js';
import { isRecord } from '../../domain/activation.js';
import { newActivationId } from '../../domain/ids.js';
import type { Identity } from '../../domain/identity.js';
import { parseQualifiedName } from '../../domain/names.js';
import { type Package, bindingOf } from '../../domain/package.js';
import { LIFECYCLE_EVENTS, type LifecycleEvent } from '../../engine/feeds/feed-provider.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { ApiDeps } from '../deps.js';
import type { InvokeAnswer, InvokeQuery } from './invoke.js';

/**
 * Invoking a built-in feed through a binding to its system package (`wsk package bind /whisk.system/alarms a`,
 * then `wsk trigger create t --feed a/alarm -p cron '…'`): OpenWhisk's feed protocol, answered in-process.
 * The body carries `lifecycleEvent`, `triggerName` (`/ns/t`, the caller's namespace), `authKey` (ignored: the
 * caller is already authenticated) and the feed's parameters. Returns undefined when `pkg/name` is not a built-in
 * feed, so the ordinary invoke path runs. Like an action, it answers with an activation record (stored).
 */
export async function invokeBuiltinFeed(
  deps: ApiDeps,
  call: {
    identity: Identity;
    /** The namespace named in the URL: the system namespace when the feed is invoked directly. */
    pathNamespace: string;
    pkg: string;
    name: string;
    body: unknown;
    query: InvokeQuery;
  },
): Promise<InvokeAnswer | undefined> {
  const feeds = deps.builtinFeeds;
  if (!feeds) return undefined;
  // Directly (`/whisk.system/alarms/alarm`, what `wsk trigger create --feed` sends), or through a binding.
  const direct = feeds.hasPackage(call.pathNamespace, call.pkg);
  const named = direct ? undefined : await deps.entities.get<Package>('packages', call.identity.namespace, call.pkg);
  const binding = direct ? { namespace: call.pathNamespace, name: call.pkg } : named && bindingOf(named.doc);
  if (!binding || !feeds.hasPackage(binding.namespace, binding.name)) return undefined;
  const feedName = `/${binding.namespace}/${binding.name}/${call.name}`;
  const provider = feeds.provider(feedName);
  if (!provider) throw new WhirlError('WHIRL_NOT_FOUND');

  const params = { ...kvObject(named?.doc.parameters ?? []), ...(isRecord(call.body) ? call.body : {}) };
  const event = params.lifecycleEvent;
  if (typeof event !== 'string' || !LIFECYCLE_EVENTS.includes(event as LifecycleEvent)) {
    throw new WhirlError('WHIRL_FEED_INVALID', [`lifecycleEvent must be one of ${LIFECYCLE_EVENTS.join(', ')}`]);
  }
  const trigger = parseQualifiedName(String(params.triggerName ?? ''), call.identity.namespace);
  if (!trigger || trigger.pkg) throw new WhirlError('WHIRL_FEED_INVALID', ['triggerName must be /namespace/trigger']);
  if (trigger.namespace !== call.identity.namespace) throw new WhirlError('WHIRL_FORBIDDEN');
  const { lifecycleEvent: _e, triggerName: _t, authKey: _k, ...feedParams } = params;
  const start = deps.clock.now();
  const result = await provider.handle({
    lifecycleEvent: event as LifecycleEvent,
    identity: call.identity,
    trigger: trigger.name,
    params: feedParams,
  });
  const end = deps.clock.now();
  const record: ActivationRecord = {
    namespace: call.identity.namespace,
    name: call.name,
    version: '0.0.1',
    subject: call.identity.subject,
    activationId: newActivationId(),
    start,
    end,
    duration: end - start,
    response: { statusCode: StatusCode.Success, result },
    logs: [],
    annotations: [
      { key: 'path', value: feedName.slice(1) },
      { key: 'kind', value: 'builtin' },
      ...(direct ? [] : [{ key: 'binding', value: `${call.identity.namespace}/${call.pkg}` }]),
    ],
    publish: false,
  };
  await deps.activations.putBatch([record]);
  const activationId = record.activationId;
  if (call.query.blocking !== true) return { status: 202, body: { activationId }, activationId };
  return { status: 200, body: call.query.result ? result : servedRecord(record), activationId };
}

function kvObject(list: ReadonlyArray<{ key: string; value: unknown }>): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}
