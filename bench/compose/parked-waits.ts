import { performance } from 'node:perf_hooks';
import { MemoryActivationQueue } from '../../src/adapters/queue/memory/memory-activation-queue.js';
import { FileExecutionStore } from '../../src/adapters/store/file/file-execution-store.js';
import { MemoryActivationStore, MemoryEntityStore } from '../../src/adapters/store/memory/index.js';
import { CompositionEngine } from '../../src/engine/composition/engine.js';
import { systemClock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import { percentile } from '../lib/stats.js';

/**
 * `n` executions parked in a `wait` of `waitMs` at once, in one engine on the on-disk execution store: heap held
 * per parked execution, and how late each resumes (end − (start + waitMs)).
 */
export async function parkedWaits(opts: { n: number; waitMs: number; dir: string }) {
  const queue = new MemoryActivationQueue({ logger: silentLogger });
  const executions = await FileExecutionStore.open({ dir: opts.dir });
  const activations = new MemoryActivationStore();
  const engine = new CompositionEngine({
    queue,
    activations,
    executions,
    entities: new MemoryEntityStore(),
    clock: systemClock,
    logger: silentLogger,
    instanceId: 'bench-parked',
    pollMs: 60_000,
  });
  await engine.start();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const definition = { whirl: '1' as const, root: { type: 'wait' as const, ms: opts.waitMs } };
  const identity = { namespace: 'bench', subject: 'bench', uuid: '' };
  const t0 = performance.now();
  const started: Array<{ id: string; at: number }> = [];
  const batch = 500;
  for (let i = 0; i < opts.n; i += batch) {
    const ids = await Promise.all(
      Array.from({ length: Math.min(batch, opts.n - i) }, async () => {
        const at = Date.now();
        const { activationId } = await engine.startExecution({
          identity, kind: 'composition', name: 'parked', version: '1', definition, input: {}, blocking: false, waitMs: 0,
        });
        return { id: activationId, at };
      }),
    );
    started.push(...ids);
  }
  const startMs = performance.now() - t0;
  global.gc?.();
  const heapParked = process.memoryUsage().heapUsed;
  const parkedNow = engine.running;
  const residentNow = engine.resident;
  // Wait until every execution has finished, then measure lateness from the records.
  const deadline = Date.now() + opts.waitMs + 60_000;
  while (engine.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const lateness: number[] = [];
  for (const s of started) {
    const doc = await executions.get(s.id);
    if (doc?.end !== undefined) lateness.push(doc.end - (doc.start + opts.waitMs));
  }
  await engine.stop();
  await executions.close();
  await queue.close();
  return {
    startMs,
    parkedNow,
    residentNow,
    heapPerExecutionBytes: (heapParked - heapBefore) / opts.n,
    heapParkedMB: (heapParked - heapBefore) / 1048576,
    finished: lateness.length,
    lateP50: percentile(lateness, 50),
    lateP99: percentile(lateness, 99),
    lateMax: Math.max(...lateness),
  };
}
