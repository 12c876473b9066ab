import type { Views } from './couch-database.js';

/**
 * The views the listings need. Map functions are ES5 source strings (CouchDB 3's SpiderMonkey and
 * pouchdb-server both run them) with the built-in `_count` reduce for counts.
 *
 * Entities are keyed [collection, namespace, -updated, name] and read ascending: newest first, then by name
 * ascending, exactly the port's order (a descending read of [.., updated] would order ties by name descending).
 * The collection is the document id's prefix, so documents carry no extra field.
 */
export const ENTITY_VIEWS: Views = {
  by_namespace: {
    map: `function (doc) {
  if (typeof doc.namespace === 'string' && typeof doc.name === 'string' && typeof doc.updated === 'number') {
    emit([doc._id.slice(0, doc._id.indexOf('/')), doc.namespace, -doc.updated, doc.name], null);
  }
}`,
    reduce: '_count',
  },
};

/** Activations are read descending: newest `start` first, ties by document id (hence activationId) descending. */
export const ACTIVATION_VIEWS: Views = {
  by_namespace: {
    map: `function (doc) {
  if (typeof doc.namespace === 'string' && typeof doc.activationId === 'string' && typeof doc.start === 'number') {
    emit([doc.namespace, doc.start], null);
  }
}`,
    reduce: '_count',
  },
  by_name: {
    map: `function (doc) {
  if (typeof doc.namespace === 'string' && typeof doc.activationId === 'string' && typeof doc.start === 'number') {
    emit([doc.namespace, doc.name, doc.start], null);
  }
}`,
    reduce: '_count',
  },
};
