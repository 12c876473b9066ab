import type { CompositionDefinition, CompositionNode } from '../../domain/composition.js';

/** OpenWhisk's limit on the components of one conductor composition (`actionSequenceLimit`); 2n+1 conductor runs. */
export const CONDUCTOR_MAX_COMPONENTS = 50;

/** OpenWhisk's message when a composition runs past its limits. */
export const COMPOSITION_TOO_LONG = 'Too many actions in the composition.';

const v = (path: string) => ({ var: path });
const typeIs = (path: string, ...types: string[]) => ({ in: [{ typeof: v(path) }, types] });
/** Passes `{...input, ...vars.state}` on (json-logic evaluates literal objects as operations, so none appear in args). */
const withState: CompositionNode = { type: 'pass', value: { assign: [v('input'), v('vars.state')] } };

/** A choice handing `then` the value at `path` as an object: itself, `{}` when absent or null, else `{[key]: value}`. */
function boxed(path: string, key: string, then: (value: unknown) => CompositionNode): CompositionNode {
  return {
    type: 'choice',
    branches: [
      { when: typeIs(path, 'object'), do: then(v(path)) },
      { when: typeIs(path, 'undefined', 'null'), do: then({}) },
    ],
    otherwise: then({ [key]: v(path) }),
  };
}

/**
 * An OpenWhisk conductor action as a composition (`docs/compositions.md`): the conductor runs on the input; its
 * result `{action?, params?, state?}` either names a component — run on `params` (boxed `{value}` when not an
 * object), after which the conductor runs again on the component's result merged with `state` (boxed `{state}`) —
 * or ends the composition with `params` (or the whole result when there are none). A conductor error ends it with
 * that error. A component's error, a name that does not parse, resolve or pass the entitlement check, and a
 * component past `maxComponents` are handed to the conductor as `{error}` merged with `state`, as in OpenWhisk.
 * Components are tasks with `actionFrom` (named by the data); the conductor runs at most 2n+1 times.
 */
export function conductorDefinition(conductor: string, maxComponents = CONDUCTOR_MAX_COMPONENTS): CompositionDefinition {
  const component: CompositionNode = {
    type: 'sequence',
    steps: [
      { type: 'set', vars: { components: { '+': [v('vars.components'), 1] }, next: v('input.action') } },
      boxed('input.params', 'value', (value) => ({ type: 'pass', value })),
      {
        type: 'try',
        do: { type: 'task', id: 'component', actionFrom: v('vars.next'), result: { assign: [v('result'), v('vars.state')] } },
        catch: [{ do: { type: 'sequence', steps: [{ type: 'pass', value: { error: v('input.error.cause') } }, withState] } }],
      },
    ],
  };
  const iteration: CompositionNode = {
    type: 'sequence',
    steps: [
      { type: 'task', id: 'conductor', action: conductor },
      boxed('input.state', 'state', (state) => ({ type: 'set', vars: { state } })),
      {
        type: 'choice',
        branches: [
          {
            // No next action: the composition's result is `params`, or the whole conductor result without them.
            when: typeIs('input.action', 'undefined', 'null'),
            do: {
              type: 'choice',
              branches: [{ when: typeIs('input.params', 'undefined', 'null'), do: { type: 'succeed' } }],
              otherwise: boxed('input.params', 'value', (value) => ({ type: 'succeed', value })),
            },
          },
          {
            when: { '>=': [v('vars.components'), maxComponents] },
            do: { type: 'sequence', steps: [{ type: 'pass', value: { error: COMPOSITION_TOO_LONG } }, withState] },
          },
        ],
        otherwise: component,
      },
    ],
  };
  return {
    whirl: '1',
    vars: { components: 0, state: {} },
    root: {
      type: 'try',
      do: { type: 'doWhile', condition: true, maxIterations: 2 * maxComponents + 1, do: iteration },
      catch: [{ errors: ['LoopLimitExceeded'], do: { type: 'fail', error: 'ApplicationError', cause: COMPOSITION_TOO_LONG } }],
    },
  };
}
