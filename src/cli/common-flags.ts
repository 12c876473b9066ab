import type { FlagSpec } from './args.js';

/** Flags several command groups share, spelled as `wsk` spells them. */
export const PARAM_FLAGS: readonly FlagSpec[] = [
  { name: 'param', short: 'p', type: 'pair', placeholder: 'KEY VALUE', description: 'parameter (VALUE parsed as JSON if it is JSON)' },
  { name: 'param-file', short: 'P', type: 'string', placeholder: 'FILE', file: true, description: 'parameters from a JSON object file' },
];

export const ANNOTATION_FLAGS: readonly FlagSpec[] = [
  { name: 'annotation', short: 'a', type: 'pair', placeholder: 'KEY VALUE', description: 'annotation (VALUE parsed as JSON if it is JSON)' },
  { name: 'annotation-file', short: 'A', type: 'string', placeholder: 'FILE', file: true, description: 'annotations from a JSON object file' },
];

export const LIST_FLAGS: readonly FlagSpec[] = [
  { name: 'limit', short: 'l', type: 'number', placeholder: 'N', description: 'at most N entities (default 30, max 200)' },
  { name: 'skip', short: 's', type: 'number', placeholder: 'N', description: 'skip the first N entities' },
  { name: 'name-sort', short: 'n', type: 'boolean', description: 'sort by name instead of last update' },
  { name: 'count', type: 'boolean', description: 'print only the number of entities' },
];

export const SHARED_FLAG: FlagSpec = {
  name: 'shared',
  type: 'string',
  choices: ['yes', 'no'],
  description: 'publish the entity to other namespaces',
};
