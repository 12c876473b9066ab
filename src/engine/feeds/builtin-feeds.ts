import type { Identity } from '../../domain/identity.js';
import { kvGet, kvToObject } from '../../domain/key-value.js';
import type { Trigger } from '../../domain/trigger.js';
import type { TriggerLifecycleHooks } from '../triggers/trigger-hooks.js';
import type { FeedEvent, FeedProvider } from './feed-provider.js';

/** The system namespace that owns the built-in feed packages, as in OpenWhisk. */
export const SYSTEM_NAMESPACE = 'whisk.system';

/**
 * Whirl's built-in feeds by fully qualified name. They run in the API process (no container), so they are reached
 * by name rather than stored as actions: see docs/feeds.md for the two ways a trigger gets one.
 */
export class BuiltinFeeds {
  constructor(private readonly providers: ReadonlyMap<string, FeedProvider>) {}

  /** The provider for `/whisk.system/pkg/name` (a leading `/` is optional), if built in. */
  provider(feedName: string): FeedProvider | undefined {
    const name = feedName.startsWith('/') ? feedName : `/${feedName}`;
    return this.providers.get(name);
  }

  names(): string[] {
    return [...this.providers.keys()];
  }

  /** Whether `/whisk.system/<name>` is a built-in feed package (so a binding may point at it). */
  hasPackage(namespace: string, name: string): boolean {
    return namespace === SYSTEM_NAMESPACE && this.names().some((n) => n.startsWith(`/${SYSTEM_NAMESPACE}/${name}/`));
  }

  handle(feedName: string, event: FeedEvent): Promise<Record<string, unknown>> | undefined {
    return this.provider(feedName)?.handle(event);
  }

  /**
   * Trigger API hooks: a trigger created with annotation `feed` naming a built-in feed gets the feed's CREATE with
   * the trigger's parameters; deleting it sends DELETE. Triggers whose feed is a user action are left to the
   * client, which runs the feed action itself (OpenWhisk's protocol).
   */
  hooks(): TriggerLifecycleHooks {
    const run = async (identity: Identity, trigger: Trigger, lifecycleEvent: 'CREATE' | 'DELETE') => {
      const feed = kvGet(trigger.annotations, 'feed');
      // Without parameters the client drives the feed itself (`wsk trigger create --feed` passes them to the
      // feed action, not to the trigger): Whirl then stays out of the way.
      if (typeof feed !== 'string' || trigger.parameters.length === 0) return;
      await this.handle(feed, { lifecycleEvent, identity, trigger: trigger.name, params: kvToObject(trigger.parameters) });
    };
    return {
      created: (identity, trigger) => run(identity, trigger, 'CREATE'),
      deleting: (identity, trigger) => run(identity, trigger, 'DELETE'),
    };
  }
}
