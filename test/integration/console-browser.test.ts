import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumSuite, type HeadlessChromium, launchChromium } from '../helpers/chromium.js';
import { startTestWhirl, type TestWhirl } from '../helpers/whirl.js';
import { everyNodeKind } from '../unit/console-fixtures.js';

/**
 * The web console end to end in headless Chromium (Debian's `chromium`, installed by scripts/services.sh), against
 * a whole embedded Whirl. Screenshots go to test-artifacts/console/.
 */
const SHOTS = join(process.cwd(), 'test-artifacts', 'console');

chromiumSuite('web console in headless Chromium', () => {
  let w: TestWhirl;
  let chromium: HeadlessChromium;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    w = await startTestWhirl('embedded');
    chromium = await launchChromium();
    browser = chromium.context;
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && console.error(`[browser console] ${msg.text()}`));
  });
  afterAll(async () => {
    await chromium?.close();
    await w?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('refuses a wrong key and signs in with a good one', async () => {
    await page.goto(`${w.url}/console`);
    await page.fill('#key', 'nobody:wrong');
    await page.click('#signin');
    await page.waitForSelector('.error');
    await shot('01-signin-refused');
    await page.fill('#key', w.auth);
    await page.click('#signin');
    await page.waitForSelector('#new-action');
    expect(await page.textContent('#who')).toBe('guest');
  });

  it('creates an action with default parameters, invokes it with parameters, and shows its activation', async () => {
    await page.click('#new-action');
    await page.fill('#action-name', 'greet');
    await page.fill('#action-code', 'function main(p) { console.log("hi " + p.name); return { greeting: p.greeting + " " + p.name, n: p.n }; }');
    await page.click('[data-testid=action-params] .kv-add');
    await page.fill('[data-testid=action-params] .kv-key', 'greeting');
    await page.fill('[data-testid=action-params] .kv-value', 'Hello');
    await shot('02-new-action');
    await page.click('#save-action');
    await page.waitForSelector('#invoke');
    const stored = await w.api('GET', '/api/v1/namespaces/_/actions/greet');
    expect(stored.body.parameters).toEqual([{ key: 'greeting', value: 'Hello' }]);

    await page.click('[data-testid=invoke-params] .kv-add');
    await page.fill('[data-testid=invoke-params] .kv-key', 'name');
    await page.fill('[data-testid=invoke-params] .kv-value', 'Ada');
    await page.click('[data-testid=invoke-params] .kv-add');
    await page.locator('[data-testid=invoke-params] .kv-key').nth(1).fill('n');
    await page.locator('[data-testid=invoke-params] .kv-value').nth(1).fill('42');
    await page.click('#invoke');
    await page.waitForSelector('#invoke-result pre.json');
    const result = JSON.parse((await page.textContent('#invoke-result pre.json'))!);
    expect(result).toEqual({ greeting: 'Hello Ada', n: 42 });
    await shot('03-invoked');

    await page.click('.activation-link');
    await page.waitForSelector('#activation-facts');
    expect(await page.textContent('#activation-status')).toBe('success');
    expect(await page.textContent('#activation-start')).toBe('cold');
    await page.waitForFunction(() => true);
    expect(JSON.parse((await page.textContent('#activation-result'))!)).toEqual({ greeting: 'Hello Ada', n: 42 });
    // Logs are in the stored record (collected after the result): reload until they are there.
    for (let i = 0; i < 20 && !(await page.textContent('#activation-logs'))?.includes('hi Ada'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
      await page.waitForSelector('#activation-logs');
    }
    expect(await page.textContent('#activation-logs')).toContain('stdout: hi Ada');
    await shot('04-activation');
  });

  it('edits the action and lists activations with a name filter', async () => {
    await page.goto(`${w.url}/console/#/actions/greet`);
    await page.waitForSelector('#action-code');
    await page.fill('#action-code', 'function main() { return { v: 2 }; }');
    await page.click('#save-action');
    await page.waitForSelector('.ok');
    const stored = await w.api('GET', '/api/v1/namespaces/_/actions/greet');
    expect(stored.body.version).toBe('0.0.2');
    await page.click('#invoke');
    await page.waitForSelector('#invoke-result pre.json');

    await page.goto(`${w.url}/console/#/activations`);
    await page.waitForSelector('#activations table');
    // A blocking invoke answers with the result; the record is listed once stored: reload until both are there.
    for (let i = 0; i < 20 && (await page.locator('#activations tr').count()) < 3; i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
      await page.waitForSelector('#activations table');
    }
    expect(await page.locator('#activations tr').count()).toBe(3);
    await page.fill('#filter-name', 'nothing-like-this');
    await page.click('#filter');
    await page.waitForSelector('#activations .empty');
    await shot('05-activations-filtered');
  });

  it('shows triggers, rules and compositions sections (or says the server has none)', async () => {
    for (const section of ['triggers', 'rules', 'compositions']) {
      await page.goto(`${w.url}/console/#/${section}`);
      // Same document, new hash: wait for the view to render rather than for any heading.
      await page.waitForFunction((sec) => (globalThis as any).document.querySelector('main h1')?.textContent?.toLowerCase() === sec, section);
      await page.waitForSelector('main table.list, main p.empty');
      await shot(`06-${section}`);
    }
  });

  it('draws a composition with every node kind, one labelled box per IR node', async () => {
    const step = await w.api('PUT', '/api/v1/namespaces/_/actions/step', {
      exec: { kind: 'nodejs:20', code: 'function main(p) { return { step: (p.step ?? 0) + 1 }; }' },
    });
    expect(step.status).toBe(200);
    const put = await w.api('PUT', '/api/v1/namespaces/_/compositions/every-kind', { definition: everyNodeKind });
    expect(put.status).toBe(200);
    await page.goto(`${w.url}/console/#/compositions/every-kind`);
    await page.waitForSelector('#graph svg.graph');
    const ids = await page.locator('#graph [data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(ids).toHaveLength(27);
    expect(ids).toContain('/root/steps/8/catch/1/do');
    const text = await page.textContent('#graph svg');
    for (const label of ['set n', 'step', 'retry ×3', 'wait 10 ms', 'parallel', 'map (2 at once)', 'while (≤ 3)', 'doWhile (≤ 3)', 'repeat ×2', 'try', 'catch Oops', 'finally', 'succeed', 'fail NotCleaned']) {
      expect(text).toContain(label);
    }
    await shot('07-composition-every-kind');
  });

  it('lists a composition, starts it, highlights the waiting step live, then links each step\'s activation', async () => {
    const put = await w.api('PUT', '/api/v1/namespaces/_/compositions/wait-flow', {
      definition: {
        whirl: '1',
        root: { type: 'sequence', steps: [{ type: 'task', action: 'step' }, { type: 'wait', ms: 2000 }, { type: 'task', action: 'step' }] },
      },
    });
    expect(put.status).toBe(200);
    await page.goto(`${w.url}/console/#/compositions`);
    await page.click('#compositions a:text-is("wait-flow")');
    await page.waitForSelector('#graph [data-node="/root/steps/2"]');
    expect(await page.locator('#graph [data-node]').count()).toBe(4);
    await shot('08-composition-graph');

    await page.fill('#execution-input', '{"step": 10}');
    await page.click('#start-execution');
    await page.waitForURL(/#\/compositions\/wait-flow\/executions\/[0-9a-f]{32}$/);
    const id = page.url().split('/').at(-1)!;
    // The 2 s wait is polled at least a few times: the wait node is the current step, the first task is done.
    await page.waitForSelector('#graph [data-node="/root/steps/1"].current', { timeout: 30_000 });
    expect(await page.getAttribute('#graph [data-node="/root/steps/0"]', 'class')).toContain('done');
    expect(await page.textContent('#execution-state')).toBe('running');
    expect(await page.locator('#steps a.activation-link').count()).toBe(1);
    await shot('09-execution-waiting');

    await page.waitForFunction(() => (globalThis as any).document.querySelector('#execution-state')?.textContent === 'succeeded', undefined, { timeout: 30_000 });
    for (const node of ['/root', '/root/steps/0', '/root/steps/1', '/root/steps/2']) {
      expect(await page.getAttribute(`#graph [data-node="${node}"]`, 'class')).toContain('done');
    }
    expect(await page.locator('#graph .current').count()).toBe(0);
    expect(JSON.parse((await page.textContent('#execution-result'))!)).toEqual({ step: 12 });
    const links = await page.locator('#steps a.activation-link').evaluateAll((els) => els.map((e) => e.textContent));
    expect(links).toHaveLength(2);
    // The execution's own record lists the same task activations.
    const record = await w.api('GET', `/api/v1/namespaces/_/activations/${id}`);
    expect(record.body.logs).toEqual(links);
    await shot('10-execution-done');

    await page.locator('#steps a.activation-link').nth(1).click();
    await page.waitForSelector('#activation-facts');
    expect(JSON.parse((await page.textContent('#activation-result'))!)).toEqual({ step: 12 });
    expect(await page.textContent('#activation-facts')).toContain(id);
    await shot('11-step-activation');

    // The execution's own record links its steps and back to the live view.
    await page.click(`a:text-is("${id}")`);
    await page.waitForSelector('#activation-steps');
    expect(await page.locator('#activation-steps a').evaluateAll((els) => els.map((e) => e.textContent))).toEqual(links);
    await page.click('#execution-link');
    await page.waitForSelector('#execution-state');

    // The composition page lists the finished execution (from its activation record).
    await page.goto(`${w.url}/console/#/compositions/wait-flow`);
    await page.waitForSelector(`#executions a.execution-link:text-is("${id}")`);
  });

  it('serves only console files', async () => {
    expect((await fetch(`${w.url}/console/../package.json`)).status).toBe(404);
    expect((await fetch(`${w.url}/console/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${w.url}/console/nope.js`)).status).toBe(404);
    const index = await fetch(`${w.url}/console/`);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // Everything else on the origin is sandboxed: nothing but the console runs in it.
    const api = await fetch(`${w.url}/api/v1`);
    expect(api.headers.get('content-security-policy')).toMatch(/^sandbox;/);
  });
});
