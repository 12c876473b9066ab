import { StringDecoder } from 'node:string_decoder';
import { type CollectedLogs, LOG_SENTINEL } from '../../ports/container-factory.js';

export type LogStream = 'stdout' | 'stderr';

interface Entry {
  stream: LogStream;
  /** Receive time (epoch ms) of the line's first byte. */
  time: number;
  text: string;
  sentinel: boolean;
}

interface Partial {
  decoder: StringDecoder;
  text: string;
  time: number;
}

export interface CollectOptions {
  waitForSentinels: boolean;
  limitBytes: number;
  waitMs: number;
}

export interface LogBufferOptions {
  now?: () => number;
  /**
   * Bytes of un-collected output kept at most. A container that prints without anyone collecting (or faster than
   * the log limit) must not grow the invoker's heap; past this, non-sentinel lines are dropped and the next
   * collection reports `truncated`.
   */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED = 16 * 1024 * 1024;

/**
 * One container's stdout/stderr, turned into OpenWhisk `LogLine`s (`"<ISO time> <stream>: <text>"`) and framed into
 * activations by the runtime's end-of-activation sentinel.
 *
 * `collect` with `waitForSentinels` waits until a sentinel line arrived on BOTH streams (or `waitMs` passed, or the
 * streams ended) and returns each stream's lines up to its first sentinel; later lines stay for the next activation.
 * Without it (or after the wait gave up) everything buffered, including unterminated lines, is returned. Sentinel
 * lines are never returned. Bytes are counted as the text's UTF-8 length plus its newline.
 */
export class LogBuffer {
  private readonly now: () => number;
  private readonly maxBuffered: number;
  private entries: Entry[] = [];
  private readonly partial: Record<LogStream, Partial>;
  private buffered = 0;
  private overflowed = false;
  private ended = false;
  private waiter: (() => void) | undefined;

  constructor(options: LogBufferOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.partial = {
      stdout: { decoder: new StringDecoder('utf8'), text: '', time: 0 },
      stderr: { decoder: new StringDecoder('utf8'), text: '', time: 0 },
    };
  }

  push(stream: LogStream, chunk: Buffer | string): void {
    const p = this.partial[stream];
    const text = typeof chunk === 'string' ? chunk : p.decoder.write(chunk);
    if (text.length === 0) return;
    if (p.text.length === 0) p.time = this.now();
    let start = 0;
    let nl = text.indexOf('\n');
    let sawSentinel = false;
    while (nl !== -1) {
      const line = p.text + text.slice(start, nl);
      sawSentinel = this.append(stream, line, p.time) || sawSentinel;
      p.text = '';
      p.time = this.now();
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    p.text += text.slice(start);
    if (sawSentinel) this.wake();
  }

  /** The streams closed (the container died): nobody waits for sentinels any more. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  async collect(options: CollectOptions): Promise<CollectedLogs> {
    if (options.waitForSentinels && !this.ended && !this.framed()) {
      await this.waitForFrame(options.waitMs);
    }
    const framed = options.waitForSentinels && this.framed();
    const taken = framed ? this.takeFrame() : this.takeAll();
    return this.format(taken, options.limitBytes);
  }

  private append(stream: LogStream, text: string, time: number): boolean {
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    const sentinel = line === LOG_SENTINEL;
    if (!sentinel) {
      const size = Buffer.byteLength(line) + 1;
      if (this.buffered + size > this.maxBuffered) {
        this.overflowed = true;
        return false;
      }
      this.buffered += size;
    }
    this.entries.push({ stream, time, text: line, sentinel });
    return sentinel;
  }

  private framed(): boolean {
    let out = false;
    let err = false;
    for (const e of this.entries) {
      if (!e.sentinel) continue;
      if (e.stream === 'stdout') out = true;
      else err = true;
      if (out && err) return true;
    }
    return false;
  }

  /** Resolves when a frame is complete, the streams ended, or `waitMs` passed. Callers collect one at a time. */
  private waitForFrame(waitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter = () => {
        if (!this.ended && !this.framed()) return;
        clearTimeout(timer);
        if (this.waiter === waiter) this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(() => {
        if (this.waiter === waiter) this.waiter = undefined;
        resolve();
      }, Math.max(0, waitMs));
      this.waiter = waiter;
    });
  }

  private wake(): void {
    this.waiter?.();
  }

  /** Each stream's entries up to and including its first sentinel. */
  private takeFrame(): Entry[] {
    const cut: Record<LogStream, boolean> = { stdout: false, stderr: false };
    const taken: Entry[] = [];
    const kept: Entry[] = [];
    for (const e of this.entries) {
      if (cut[e.stream]) {
        kept.push(e);
        continue;
      }
      taken.push(e);
      if (e.sentinel) cut[e.stream] = true;
    }
    this.entries = kept;
    return taken;
  }

  private takeAll(): Entry[] {
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.partial[stream];
      if (p.text.length > 0) {
        this.append(stream, p.text, p.time);
        p.text = '';
      }
    }
    const taken = this.entries;
    this.entries = [];
    return taken;
  }

  private format(taken: Entry[], limitBytes: number): CollectedLogs {
    const lines: string[] = [];
    let used = 0;
    let overLimit = false;
    for (const e of taken) {
      if (e.sentinel) continue;
      const size = Buffer.byteLength(e.text) + 1;
      this.buffered -= size;
      if (overLimit || used + size > limitBytes) {
        overLimit = true;
        continue;
      }
      used += size;
      lines.push(`${new Date(e.time).toISOString()} ${e.stream}: ${e.text}`);
    }
    const truncated = overLimit || this.overflowed;
    this.overflowed = false;
    if (truncated) {
      lines.push(
        `${new Date(this.now()).toISOString()} stderr: Logs were truncated because the total bytes size exceeds the limit of ${limitBytes} bytes.`,
      );
    }
    return { lines, truncated };
  }
}
