import type { Identity } from '../../domain/identity.js';

/**
 * OpenWhisk's feed protocol (`docs/feeds.md`): a feed receives lifecycle events for one trigger and returns a JSON
 * result. Whirl's built-in feeds implement it in-process; user feeds are ordinary actions invoked with the same
 * parameters (`lifecycleEvent`, `triggerName` `/ns/trigger`, `authKey`, plus the feed's own parameters).
 */
export type LifecycleEvent = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE' | 'PAUSE' | 'UNPAUSE';

export const LIFECYCLE_EVENTS: readonly LifecycleEvent[] = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'PAUSE', 'UNPAUSE'];

export interface FeedEvent {
  lifecycleEvent: LifecycleEvent;
  /** The trigger's owner: fires run as this identity. */
  identity: Identity;
  /** The trigger's name in `identity.namespace`. */
  trigger: string;
  /** The feed's own parameters (cron, minutes, stream, trigger_payload, …). */
  params: Record<string, unknown>;
}

export interface FeedProvider {
  /** Throws WHIRL_FEED_INVALID for bad parameters, WHIRL_NOT_FOUND when the trigger has no feed state here. */
  handle(event: FeedEvent): Promise<Record<string, unknown>>;
}
