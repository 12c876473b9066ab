import { describe, expect, it } from 'vitest';
import { StatusCode } from '../../../src/domain/activation.js';
import { interpretInit, interpretRun, Messages } from '../../../src/invoker/run-outcome.js';

const ok = (statusCode: number, body: string) => ({ kind: 'response' as const, statusCode, body, durationMs: 1 });
const ctx = { timeoutMs: 1000, oom: false, maxResultBytes: 100 };

describe('interpretRun', () => {
  it('200 with an object is success and keeps the container', () => {
    const o = interpretRun(ok(200, '{"a":1}'), ctx);
    expect(o).toMatchObject({ statusCode: StatusCode.Success, result: { a: 1 }, destroyContainer: false, size: 7 });
  });
  it('200 with an array is success', () => {
    expect(interpretRun(ok(200, '[1,2]'), ctx).statusCode).toBe(StatusCode.Success);
  });
  it('200 with an error field is an application error', () => {
    const o = interpretRun(ok(200, '{"error":"nope","other":1}'), ctx);
    expect(o.statusCode).toBe(StatusCode.ApplicationError);
    expect(o.destroyContainer).toBe(false);
  });
  it('502 with an error field is a developer error and destroys the container', () => {
    const o = interpretRun(ok(502, '{"error":"boom"}'), ctx);
    expect(o).toMatchObject({ statusCode: StatusCode.DeveloperError, result: { error: 'boom' }, destroyContainer: true });
  });
  it('a body that is not JSON is a developer error naming the body', () => {
    const o = interpretRun(ok(200, 'hello'), ctx);
    expect(o.statusCode).toBe(StatusCode.DeveloperError);
    expect(o.result).toEqual({ error: Messages.notJson('hello') });
  });
  it('a JSON scalar is not a valid result', () => {
    expect(interpretRun(ok(200, '42'), ctx).statusCode).toBe(StatusCode.DeveloperError);
  });
  it('a timeout says so, with the limit', () => {
    const o = interpretRun({ kind: 'timeout', durationMs: 1000 }, ctx);
    expect(o).toMatchObject({ statusCode: StatusCode.DeveloperError, timedOut: true, destroyContainer: true });
    expect(o.result).toEqual({ error: Messages.timedOut(1000, false) });
  });
  it('a dropped connection after an OOM kill reports memory exhaustion', () => {
    const o = interpretRun({ kind: 'connection-error', message: 'reset', durationMs: 3 }, { ...ctx, oom: true });
    expect(o.result).toEqual({ error: Messages.memoryExhausted });
  });
  it('a dropped connection otherwise reports an unexpected exit', () => {
    const o = interpretRun({ kind: 'connection-error', message: 'reset', durationMs: 3 }, ctx);
    expect(o.result).toEqual({ error: Messages.runExited });
  });
  it('a result over the limit becomes an application error with the truncated text', () => {
    const body = JSON.stringify({ big: 'x'.repeat(200) });
    const o = interpretRun(ok(200, body), ctx);
    expect(o.statusCode).toBe(StatusCode.ApplicationError);
    expect((o.result as { error: string }).error).toContain(`${body.length} > 100 bytes`);
  });
});

describe('interpretInit', () => {
  it('200 means initialised (no outcome)', () => {
    expect(interpretInit(ok(200, '{"OK":true}'), ctx)).toBeUndefined();
  });
  it('an init failure is a developer error quoting the runtime', () => {
    const o = interpretInit(ok(502, '{"error":"Initialization has failed due to: SyntaxError"}'), ctx);
    expect(o?.result).toEqual({ error: Messages.initFailed('Initialization has failed due to: SyntaxError') });
  });
  it('an init timeout says "during initialization"', () => {
    const o = interpretInit({ kind: 'timeout', durationMs: 1000 }, ctx);
    expect(o?.result).toEqual({ error: Messages.timedOut(1000, true) });
  });
  it('a container that exits during init', () => {
    const o = interpretInit({ kind: 'connection-error', message: 'refused', durationMs: 1000 }, ctx);
    expect(o?.result).toEqual({ error: Messages.initExited });
  });
});
