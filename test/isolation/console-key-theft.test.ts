import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumSuite, type HeadlessChromium, launchChromium } from '../helpers/chromium.js';
import { eventually } from '../helpers/whirl.js';
import { startTwoTenants, type TwoTenants } from './tenants.js';

/**
 * The console-key theft in headless Chromium (docs/isolation.md, "Console keys"): a console signed in as alice,
 * and a web action page of bob's, served by the same Whirl on the same host and port, that tries every way it has
 * to the key — its own sessionStorage and localStorage (same tab, or a popup the console opened, which copies the
 * opener's sessionStorage), `window.opener`, and an iframe of the console — and then reports what it found to bob's
 * `collect` web action. The reports must arrive (the page ran) and none may hold alice's key.
 */
const THIEF_PAGE = String.raw`<!doctype html><html><body><script>
  const report = {};
  const grab = (label, read) => { try { const v = read(); report[label] = v == null ? '' : String(v); } catch (e) { report[label] = 'refused: ' + e.name; } };
  grab('session', () => sessionStorage.getItem('whirl.key'));
  grab('sessionAll', () => JSON.stringify(Object.entries(sessionStorage)));
  grab('local', () => JSON.stringify(Object.entries(localStorage)));
  grab('opener', () => window.opener && window.opener.sessionStorage.getItem('whirl.key'));
  grab('openerDom', () => window.opener && window.opener.document.documentElement.outerHTML.length);
  grab('cookie', () => document.cookie);
  const via = new URLSearchParams(location.search).get('via');
  const frame = document.createElement('iframe');
  frame.src = '/console/';
  const loaded = new Promise((resolve) => { frame.onload = resolve; setTimeout(resolve, 4000); });
  document.body.appendChild(frame);
  loaded.then(() => {
    grab('iframe', () => frame.contentWindow.sessionStorage.getItem('whirl.key'));
    const url = '/api/v1/web/' + NS + '/default/collect.json?via=' + encodeURIComponent(via) + '&report=' + encodeURIComponent(JSON.stringify(report));
    fetch(url, { mode: 'no-cors' });
  });
</script></body></html>`;

chromiumSuite('console keys in headless Chromium', () => {
  let t: TwoTenants;
  let chromium: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    t = await startTwoTenants('embedded');
    const asBob = (method: string, path: string, body?: unknown) => t.whirl.api(method, path, body, t.bob.auth);
    const web = [{ key: 'web-export', value: true }];
    const thief = `function main() { return { body: ${JSON.stringify(THIEF_PAGE.replace('NS', JSON.stringify(t.bob.namespace)))} }; }`;
    expect((await asBob('PUT', '/api/v1/namespaces/_/actions/thief', { exec: { kind: 'nodejs:20', code: thief }, annotations: web })).status).toBe(200);
    const collect = 'function main(p) { return { via: p.via, report: p.report }; }';
    expect((await asBob('PUT', '/api/v1/namespaces/_/actions/collect', { exec: { kind: 'nodejs:20', code: collect }, annotations: web })).status).toBe(200);

    chromium = await launchChromium();
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.setDefaultTimeout(30_000);
    await page.goto(`${t.whirl.url}/console/`);
    await page.fill('#key', t.alice.auth);
    await page.click('#signin');
    await page.waitForSelector('#new-action');
    expect(await page.textContent('#who')).toBe(t.alice.namespace);
  });
  afterAll(async () => {
    await chromium?.close();
    await t?.stop();
  });

  const thiefUrl = (via: string) => `${t.whirl.url}/api/v1/web/${t.bob.namespace}/default/thief.html?via=${via}`;

  /** The report `collect` received from the page opened `via`: waits for its activation record. */
  const reportFrom = (via: string) =>
    eventually(async () => {
      const listed = await t.whirl.api('GET', '/api/v1/namespaces/_/activations?name=collect&docs=true', undefined, t.bob.auth);
      const found = (listed.body as any[]).find((a) => a.response?.result?.via === via);
      return found ? (JSON.parse(found.response.result.report) as Record<string, string>) : undefined;
    }, 60_000, 250);

  const expectNoKey = (report: Record<string, string>) => {
    // The page ran every probe (each label is there) and none of them saw alice's key or any part of it.
    expect(Object.keys(report).sort()).toEqual(['cookie', 'iframe', 'local', 'opener', 'openerDom', 'session', 'sessionAll']);
    const all = JSON.stringify(report);
    expect(all).not.toContain(t.alice.key);
    expect(all).not.toContain(t.alice.uuid);
    // Storage is refused outright (an opaque origin), not merely empty; the popup has no opener at all.
    for (const label of ['session', 'sessionAll', 'local', 'cookie', 'iframe']) expect(report[label]).toMatch(/^refused/);
    expect(report.opener).toBe('');
    expect(report.openerDom).toBe('');
  };

  it('a web action page in the console\'s tab cannot read the key', async () => {
    await page.goto(thiefUrl('same-tab'));
    expectNoKey(await reportFrom('same-tab'));
  });

  it('a web action page the console opens with window.open cannot read the key or reach the console', async () => {
    await page.goto(`${t.whirl.url}/console/`);
    await page.waitForSelector('#new-action');
    expect(await page.textContent('#who')).toBe(t.alice.namespace);
    await page.evaluate((url) => void (globalThis as any).open(url), thiefUrl('popup'));
    expectNoKey(await reportFrom('popup'));
  });

  it('the console still holds its key (the probes above were refused, not empty)', async () => {
    await page.goto(`${t.whirl.url}/console/`);
    await page.waitForSelector('#new-action');
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('whirl.key'))).toBe(t.alice.auth);
  });
});
