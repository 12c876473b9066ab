import type { WritableLike } from './io.js';

/**
 * A one-line progress indicator on stderr for anything that waits (blocking invokes, composition runs).
 * Drawn only when stdout and stderr are terminals, so piped or `--json` output never carries control characters.
 */
export interface Spinner {
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function startSpinner(stdout: WritableLike, stderr: WritableLike, text: string, enabled: boolean): Spinner {
  if (!enabled || !stdout.isTTY || !stderr.isTTY) return { stop() {} };
  const started = Date.now();
  let frame = 0;
  const draw = () => {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text} ${secs}s\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, 80);
  return {
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[K');
    },
  };
}
