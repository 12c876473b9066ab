import type { CompositionDefinition } from '../../domain/composition.js';

/**
 * An OpenWhisk sequence as a composition: its components as tasks in order. Each component receives the previous
 * one's result; the first error stops the sequence (the node semantics of `sequence` already do both).
 */
export function sequenceDefinition(components: readonly string[]): CompositionDefinition {
  return { whirl: '1', root: { type: 'sequence', steps: components.map((action) => ({ type: 'task', action })) } };
}
