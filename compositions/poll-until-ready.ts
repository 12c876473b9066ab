// Poll a job until it is ready (at most 20 checks, 10 ms apart), then fetch its result in parallel with an audit
// note. Built with the TypeScript DSL; deploys like the YAML and JSON examples.
import { composition, eq, not, parallel, pass, sequence, task, v, wait, whileLoop } from '../src/dsl/index.js';

export default composition(
  sequence(
    task('start-job'),
    whileLoop(not(eq(v('input.state'), 'ready')), sequence(wait(10), task('check-job')), 20),
    parallel(task('job-result'), pass({ audit: v('input.id') })),
  ),
  { timeoutMs: 30_000 },
);
