/**
 * The body of `PUT …/compositions/{name}`: the IR document (`definition`, schemas/composition.schema.json) or an
 * Amazon States Language state machine (`asl`, converted on the way in; docs/asl.md), with annotations.
 */
export const CompositionPutSchema = {
  type: 'object',
  properties: {
    definition: { description: 'The composition IR document (schemas/composition.schema.json).' },
    asl: {
      type: 'object',
      description: 'An Amazon States Language state machine ({StartAt, States, …}), converted to the IR (docs/asl.md). Instead of definition.',
    },
    annotations: {},
  },
} as const;
