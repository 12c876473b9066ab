import { WhirlError } from '../../errors/whirl-error.js';

/** The name a refusal gives when the problem is the state machine as a whole, not one state. */
export const MACHINE = '(state machine)';

/**
 * A state machine (or one of its states) that cannot be converted: `WHIRL_ASL_UNSUPPORTED` (400), naming the state
 * and why. `state` and `reason` stay readable for the CLI and tests.
 */
export class AslRefusal extends WhirlError {
  constructor(
    readonly state: string,
    readonly reason: string,
  ) {
    super('WHIRL_ASL_UNSUPPORTED', [state, reason]);
  }
}

export function refuse(state: string, reason: string): never {
  throw new AslRefusal(state, reason);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASL documents are untrusted JSON, inspected field by field
export type Json = Record<string, any>;

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
