import type { Config } from '../config/config.js';
import type { InvokeService } from '../engine/invoke-service.js';
import type { ActivationStore } from '../ports/activation-store.js';
import type { Clock } from '../ports/clock.js';
import type { EntityStore } from '../ports/entity-store.js';
import type { Logger } from '../ports/logger.js';

/** Everything the API needs from the outside; `buildServer` wires nothing else. */
export interface ApiDeps {
  config: Config;
  entities: EntityStore;
  activations: ActivationStore;
  engine: InvokeService;
  clock: Clock;
  logger: Logger;
}
