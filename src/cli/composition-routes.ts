import { collectionUrl } from './entity-path.js';

/**
 * Where the composition extension of `/api/v1` lives (docs/compositions.md): compositions are an entity collection
 * like actions; an execution is addressed by its composition and its activation id.
 */
const execution = (ns: string, name: string, id: string) =>
  `${collectionUrl('compositions', ns)}/${encodeURIComponent(name)}/executions/${encodeURIComponent(id)}`;

export const compositionRoutes = {
  execution,
  history: (ns: string, name: string, id: string) => `${execution(ns, name, id)}/history`,
  cancel: (ns: string, name: string, id: string) => `${execution(ns, name, id)}/cancel`,
};
