import type { Composition, CompositionDefinition } from '../../domain/composition.js';
import { type Action, isConductorAction } from '../../domain/action.js';
import { isSequence } from '../../domain/exec.js';
import type { Identity } from '../../domain/identity.js';
import { WhirlError } from '../../errors/whirl-error.js';
import type { InvokeRequest } from '../invoke-service.js';
import { conductorDefinition } from './conductor-definition.js';
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

/**
 * An OpenWhisk sequence or conductor action invoke as an execution (record annotations as OpenWhisk's: `path`,
 * `limits`, and `conductor: true` for a conductor).
 */
export function sequenceStart(req: InvokeRequest): StartRequest {
  return {
    identity: req.identity,
    kind: 'sequence',
    ...actionExecution(req.action),
    input: req.payload,
    blocking: req.blocking,
    waitMs: req.waitMs,
    ...(req.cause !== undefined ? { cause: req.cause } : {}),
  };
}

/** What a sequence or conductor action runs as: its definition and record annotations (top level or nested). */
export function actionExecution(action: Action): Pick<StartRequest, 'name' | 'version' | 'definition'> & {
  recordAnnotations: Array<{ key: string; value: unknown }>;
} {
  const exec = action.exec;
  const conductor = isConductorAction(action);
  if (!isSequence(exec) && !conductor) throw new WhirlError('WHIRL_BAD_REQUEST', ['not a sequence']);
  return {
    name: action.name,
    version: action.version,
    definition: isSequence(exec) ? sequenceDefinition(exec.components) : conductorDefinition(`/${action.namespace}/${action.name}`),
    recordAnnotations: [
      { key: 'path', value: `${action.namespace}/${action.name}` },
      { key: 'limits', value: action.limits },
      ...(conductor ? [{ key: 'conductor', value: true }] : []),
    ],
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
