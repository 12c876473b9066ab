import type { Config } from '../config/config.js';
import type { CompositionEngine } from '../engine/composition/engine.js';
import type { InvokeService } from '../engine/invoke-service.js';
import type { NamespaceThrottle } from '../engine/throttles/namespace-throttle.js';
import type { BuiltinFeeds } from '../engine/feeds/builtin-feeds.js';
import type { RuleTargets } from '../engine/triggers/rule-targets.js';
import type { TriggerLifecycleHooks } from '../engine/triggers/trigger-hooks.js';
import type { ActivationStore } from '../ports/activation-store.js';
import type { Clock } from '../ports/clock.js';
import type { EntityStore } from '../ports/entity-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { WebhookInbox } from '../ports/webhook-inbox.js';

/** Everything the API needs from the outside; `buildServer` wires nothing else. */
export interface ApiDeps {
  /** The composition engine (issue 4): `/compositions` routes are served only when present. */
  compositions?: CompositionEngine;
  config: Config;
  entities: EntityStore;
  activations: ActivationStore;
  engine: InvokeService;
  clock: Clock;
  logger: Logger;
  /** Served at `/metrics` and fed by every request; absent = metrics off. */
  metrics?: Metrics;
  /** What rules can start (actions; compositions once wired); default: actions only. */
  ruleTargets?: RuleTargets;
  /** Built-in feeds' lifecycle on trigger create/delete; absent = no built-in feeds. */
  triggerHooks?: TriggerLifecycleHooks;
  /** Built-in feeds, invocable through a binding to their `whisk.system` package; absent = none. */
  builtinFeeds?: BuiltinFeeds;
  /** Per-namespace throttles (fires per minute on webhooks, `GET …/limits`); absent = unthrottled. */
  throttle?: NamespaceThrottle;
  /** Where webhook deliveries wait to be fired; absent = no webhook route. */
  webhookInbox?: WebhookInbox;
}
