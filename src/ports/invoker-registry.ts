/**
 * Which invokers exist and how loaded they are: invokers heartbeat into it, API processes read it to place
 * activations (src/engine/placement.ts) and invokers read it to adopt the queues of dead peers.
 *
 * Contract (test/contract/invoker-registry.contract.ts):
 * - `heartbeat` records the status and stamps it with the registry's own clock (Redis server time for the Redis
 *   adapter), so hosts with skewed clocks agree on ages.
 * - `list` returns every invoker heard from within `forgetMs` (a constructor option of each adapter), each with
 *   `ageMs` since its last heartbeat, sorted by id. Older entries are dropped.
 * - Outages reject with WHIRL_QUEUE_UNAVAILABLE (the registry lives next to the queue).
 */
export interface InvokerRegistry {
  heartbeat(status: InvokerLoad): Promise<void>;
  list(): Promise<InvokerStatus[]>;
  close(): Promise<void>;
}

export interface InvokerLoad {
  id: string;
  /** Memory budget for containers (MB). */
  memoryMB: number;
  /** Memory not held by busy containers (MB); idle containers count as free since they can be evicted. */
  freeMB: number;
}

export interface InvokerStatus extends InvokerLoad {
  /** Milliseconds since the last heartbeat. */
  ageMs: number;
}
