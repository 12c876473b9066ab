export { FileActivationStore } from './file-activation-store.js';
export { FileEntityStore, type FileStoreOptions } from './file-entity-store.js';
