import type { Identity } from '../../domain/identity.js';
import type { Trigger } from '../../domain/trigger.js';

/**
 * Called by the trigger API around trigger writes, so that Whirl's built-in feeds (schedules, message streams) can
 * run their CREATE/DELETE lifecycle on the server when a trigger carries a `feed` annotation naming one of them.
 */
export interface TriggerLifecycleHooks {
  /** After a new trigger is stored. A rejection is reported to the client and the trigger is removed again. */
  created?(identity: Identity, trigger: Trigger): Promise<void>;
  /** Before a trigger is deleted; a rejection keeps the trigger. */
  deleting?(identity: Identity, trigger: Trigger): Promise<void>;
}
