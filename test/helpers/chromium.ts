import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** Debian's `chromium`, installed by scripts/services.sh. */
export const CHROMIUM = process.env.WHIRL_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** `describe` when Chromium is there; a loud failure in CI and a loud skip locally when it is not. */
export const chromiumSuite: (name: string, fn: () => void) => void = existsSync(CHROMIUM)
  ? describe
  : process.env.CI === 'true'
    ? (name: string) => describe(name, () => it('needs chromium', () => expect.fail(`${CHROMIUM} is missing (scripts/services.sh installs it)`)))
    : (name: string, fn: () => void) => {
        console.warn(`\n[chromium] SKIPPING "${name}": ${CHROMIUM} is missing (run 'npm test', which installs it)\n`);
        describe.skip(name, fn);
      };

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium on a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'whirl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
