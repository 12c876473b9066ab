export { MemoryActivationStore } from './memory-activation-store.js';
export { MemoryEntityStore } from './memory-entity-store.js';
