import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../../../src/adapters/containers/log-buffer.js';
import { LOG_SENTINEL } from '../../../src/ports/container-factory.js';

const T0 = Date.parse('2024-01-02T03:04:05.000Z');
const S = `${LOG_SENTINEL}\n`;
const big = { waitForSentinels: true, limitBytes: 1_000_000, waitMs: 1_000 };

function buffer(): LogBuffer {
  let t = T0;
  return new LogBuffer({ now: () => t++ });
}

describe('LogBuffer', () => {
  it('formats lines as OpenWhisk LogLines and drops the sentinels', async () => {
    const logs = buffer();
    logs.push('stdout', 'hello\n');
    logs.push('stderr', `oops\n${S}`);
    logs.push('stdout', S);
    const out = await logs.collect(big);
    expect(out.truncated).toBe(false);
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toMatch(/^2024-01-02T03:04:05\.\d{3}Z stdout: hello$/);
    expect(out.lines[1]).toMatch(/^2024-01-02T03:04:05\.\d{3}Z stderr: oops$/);
  });

  it('joins lines split across chunks, including split UTF-8 characters', async () => {
    const logs = buffer();
    const euro = Buffer.from('€\n');
    logs.push('stdout', Buffer.from('a'));
    logs.push('stdout', euro.subarray(0, 1));
    logs.push('stdout', Buffer.concat([euro.subarray(1), Buffer.from(S)]));
    logs.push('stderr', S);
    const out = await logs.collect(big);
    expect(out.lines.map((l) => l.split(': ')[1])).toEqual(['a€']);
  });

  it('waits for the sentinel on both streams before returning', async () => {
    const logs = buffer();
    logs.push('stdout', `one\n${S}`);
    let done = false;
    const pending = logs.collect(big).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    logs.push('stderr', `two\n${S}`);
    const out = await pending;
    expect(out.lines.map((l) => l.slice(25))).toEqual(['stdout: one', 'stderr: two']);
  });

  it('keeps lines after the sentinel for the next activation', async () => {
    const logs = buffer();
    logs.push('stdout', `first\n${S}second\n`);
    logs.push('stderr', `${S}late\n`);
    const a = await logs.collect(big);
    expect(a.lines.map((l) => l.slice(25))).toEqual(['stdout: first']);
    logs.push('stdout', S);
    logs.push('stderr', S);
    const b = await logs.collect(big);
    expect(b.lines.map((l) => l.slice(25))).toEqual(['stdout: second', 'stderr: late']);
  });

  it('gives up after waitMs and returns what it has, unterminated lines included', async () => {
    const logs = buffer();
    logs.push('stdout', 'partial');
    const started = Date.now();
    const out = await logs.collect({ ...big, waitMs: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(out.lines.map((l) => l.slice(25))).toEqual(['stdout: partial']);
  });

  it('stops waiting when the streams end', async () => {
    const logs = buffer();
    logs.push('stderr', 'dying\n');
    const pending = logs.collect({ ...big, waitMs: 10_000 });
    logs.end();
    const out = await pending;
    expect(out.lines.map((l) => l.slice(25))).toEqual(['stderr: dying']);
  });

  it('returns everything without waiting when sentinels are not expected', async () => {
    const logs = buffer();
    logs.push('stdout', `a\n${S}b\n`);
    const out = await logs.collect({ waitForSentinels: false, limitBytes: 1000, waitMs: 10_000 });
    expect(out.lines.map((l) => l.slice(25))).toEqual(['stdout: a', 'stdout: b']);
    const again = await logs.collect({ waitForSentinels: false, limitBytes: 1000, waitMs: 0 });
    expect(again.lines).toEqual([]);
  });

  it('caps the output at limitBytes with the truncation line', async () => {
    const logs = buffer();
    logs.push('stdout', `12345\n67890\nabcde\n${S}`);
    logs.push('stderr', S);
    const out = await logs.collect({ ...big, limitBytes: 12 });
    expect(out.truncated).toBe(true);
    expect(out.lines).toHaveLength(3);
    expect(out.lines[1]).toMatch(/stdout: 67890$/);
    expect(out.lines[2]).toMatch(
      / stderr: Logs were truncated because the total bytes size exceeds the limit of 12 bytes\.$/,
    );
  });

  it('drops output past its own buffer cap and reports truncation', async () => {
    const logs = new LogBuffer({ maxBufferedBytes: 10 });
    logs.push('stdout', `aaaa\nbbbb\ncccc\n${S}`);
    logs.push('stderr', S);
    const out = await logs.collect(big);
    expect(out.truncated).toBe(true);
    expect(out.lines.slice(0, 2).map((l) => l.split(': ')[1])).toEqual(['aaaa', 'bbbb']);
    // The dropped bytes are released: a later activation is not truncated.
    logs.push('stdout', `dddd\n${S}`);
    logs.push('stderr', S);
    const next = await logs.collect(big);
    expect(next.truncated).toBe(false);
    expect(next.lines.map((l) => l.split(': ')[1])).toEqual(['dddd']);
  });
});
