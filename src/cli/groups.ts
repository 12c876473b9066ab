import type { GroupSpec } from './command.js';
import { actionGroup } from './commands/action.js';
import { apiGroup } from './commands/api.js';
import { activationGroup } from './commands/activation.js';
import { adminGroup } from './commands/admin.js';
import { completeGroup } from './commands/complete-names.js';
import { completionGroup } from './commands/completion.js';
import { compositionGroup } from './commands/composition.js';
import { namespaceGroup } from './commands/namespace.js';
import { packageGroup } from './commands/package.js';
import { propertyGroup } from './commands/property.js';
import { ruleGroup } from './commands/rule.js';
import { triggerGroup } from './commands/trigger.js';

/** Every command group, in the order help lists them. */
export const GROUPS: readonly GroupSpec[] = [
  actionGroup,
  activationGroup,
  compositionGroup,
  triggerGroup,
  ruleGroup,
  packageGroup,
  apiGroup,
  namespaceGroup,
  propertyGroup,
  adminGroup,
  completionGroup,
  completeGroup,
];
