import { collectionUrl } from './entity-path.js';

/**
 * Where the composition extension of `/api/v1` lives (docs/compositions.md). Compositions are an entity collection
 * like actions; executions are addressed by their activation id.
 */
export const compositionRoutes = {
  execution: (ns: string, id: string) => `${collectionUrl('compositions', ns)}/executions/${encodeURIComponent(id)}`,
  history: (ns: string, id: string) => `${collectionUrl('compositions', ns)}/executions/${encodeURIComponent(id)}/history`,
  cancel: (ns: string, id: string) => `${collectionUrl('compositions', ns)}/executions/${encodeURIComponent(id)}/cancel`,
};
