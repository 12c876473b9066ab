import type { Composition, CompositionDefinition } from '../../domain/composition.js';
import { isSequence } from '../../domain/exec.js';
import type { Identity } from '../../domain/identity.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { InvokeRequest } from '../invoke-service.js';
import { sequenceDefinition } from './sequence-definition.js';

/** Starting an execution: what runs, for whom, on what input. */
export interface StartRequest {
  identity: Identity;
  kind: 'composition' | 'sequence';
  name: string;
  version: string;
  definition: CompositionDefinition;
  input: unknown;
  blocking: boolean;
  waitMs: number;
  recordAnnotations?: Array<{ key: string; value: unknown }>;
  /** Given for child executions: the parent's task activation id, so recovery finds it like any activation. */
  executionId?: string;
  cause?: string;
  /** How many executions it is nested in (a child composition's child is 2). */
  depth?: number;
}

/** An OpenWhisk sequence invoke as an execution (record annotations as OpenWhisk's: `path`, `limits`). */
export function sequenceStart(req: InvokeRequest): StartRequest {
  const exec = req.action.exec;
  if (!isSequence(exec)) throw new WhirlError('WHIRL_BAD_REQUEST', ['not a sequence']);
  return {
    identity: req.identity,
    kind: 'sequence',
    name: req.action.name,
    version: req.action.version,
    definition: sequenceDefinition(exec.components),
    input: req.payload,
    blocking: req.blocking,
    waitMs: req.waitMs,
    recordAnnotations: [
      { key: 'path', value: `${req.action.namespace}/${req.action.name}` },
      { key: 'limits', value: req.action.limits },
    ],
    ...(req.cause !== undefined ? { cause: req.cause } : {}),
  };
}

export function compositionStart(
  identity: Identity,
  composition: Composition,
  input: unknown,
  opts: { blocking: boolean; waitMs: number },
): StartRequest {
  return {
    identity,
    kind: 'composition',
    name: composition.name,
    version: composition.version,
    definition: composition.definition,
    input,
    ...opts,
    recordAnnotations: [{ key: 'path', value: `${composition.namespace}/${composition.name}` }],
  };
}
