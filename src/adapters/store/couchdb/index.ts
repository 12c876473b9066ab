export { CouchActivationStore } from './couch-activation-store.js';
export { type CouchOptions } from './couch-database.js';
export { CouchEntityStore } from './couch-entity-store.js';
