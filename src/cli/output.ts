import type { WritableLike } from './io.js';

/**
 * Human output by default (`ok: …` lines, aligned tables, pretty JSON as `wsk` prints), or with `--json` exactly one
 * JSON document per command on stdout (the API's answer, unchanged) so scripts can pipe it to `jq`.
 */
export class Output {
  constructor(
    private readonly stdout: WritableLike,
    private readonly stderr: WritableLike,
    readonly json: boolean,
  ) {}

  /** A confirmation line (human mode only). */
  ok(message: string): void {
    if (!this.json) this.stdout.write(`ok: ${message}\n`);
  }

  /** A line of human text (human mode only). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A note on stderr that never pollutes stdout (human mode only). */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** A JSON value: pretty in human mode; the command's one document in `--json` mode. */
  value(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One compact JSON document per line, for streams (`activation poll --json`). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Raw text on stdout in both modes (logs, `property get` of one value). */
  raw(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Aligned columns; the last column is not padded. */
  table(header: readonly string[] | undefined, rows: ReadonlyArray<readonly string[]>): void {
    if (this.json) return;
    const all = header ? [header, ...rows] : rows;
    const widths: number[] = [];
    for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    for (const row of all) {
      const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)));
      this.stdout.write(`${cells.join('  ').trimEnd()}\n`);
    }
  }
}
