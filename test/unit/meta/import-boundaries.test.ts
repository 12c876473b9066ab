import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import-boundary rules of eslint.config.js, exercised on snippets placed (virtually) in each layer, so a config
 * edit that silently stops a boundary from being enforced fails here. Nothing is written to disk.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-properties')
    .map((m) => m.message);
}

const cases: Array<{ file: string; code: string; allowed: boolean }> = [
  // domain: pure, innermost
  { file: 'src/domain/x.ts', code: "import type { Clock } from '../ports/clock.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { a } from '../adapters/store/memory/store.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { a } from '../engine/activator.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { a } from '../invoker/pool.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { a } from '../api/server.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { loadConfig } from '../config/load.js';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { readFile } from 'node:fs/promises';", allowed: false },
  { file: 'src/domain/x.ts', code: "import fs from 'fs';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { connect } from 'node:net';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { request } from 'node:http';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { spawn } from 'node:child_process';", allowed: false },
  { file: 'src/domain/x.ts', code: "import { randomUUID } from 'node:crypto';", allowed: true },
  { file: 'src/domain/x.ts', code: "import type { Exec } from './exec.js';", allowed: true },
  { file: 'src/domain/x.ts', code: "import { WhirlError } from '../errors/whirl-error.js';", allowed: true },
  // ports: only the domain and sibling ports
  { file: 'src/ports/x.ts', code: "import type { Action } from '../domain/action.js';", allowed: true },
  { file: 'src/ports/x.ts', code: "import type { Clock } from './clock.js';", allowed: true },
  { file: 'src/ports/x.ts', code: "import type { A } from '../adapters/queue/memory/queue.js';", allowed: false },
  { file: 'src/ports/x.ts', code: "import type { Config } from '../config/config.js';", allowed: false },
  { file: 'src/ports/x.ts', code: "import type { A } from '../engine/activator.js';", allowed: false },
  // engine and invoker: not adapters, not the API
  { file: 'src/engine/x.ts', code: "import type { Q } from '../ports/activation-queue.js';", allowed: true },
  { file: 'src/engine/x.ts', code: "import { Q } from '../adapters/queue/bullmq/queue.js';", allowed: false },
  { file: 'src/engine/x.ts', code: "export { Q } from '../adapters/queue/bullmq/queue.js';", allowed: false },
  { file: 'src/engine/x.ts', code: "import type { R } from '../api/routes/v1/actions.js';", allowed: false },
  { file: 'src/invoker/deep/x.ts', code: "import { D } from '../../adapters/containers/docker/f.js';", allowed: false },
  { file: 'src/invoker/x.ts', code: "import { S } from '../api/server.js';", allowed: false },
  { file: 'src/invoker/x.ts', code: "import type { Action } from '../domain/action.js';", allowed: true },
  // api: not adapters, not the invoker
  { file: 'src/api/routes/v1/x.ts', code: "import { S } from '../../../adapters/store/couchdb/s.js';", allowed: false },
  { file: 'src/api/routes/v1/x.ts', code: "import { I } from '../../../invoker/invoker.js';", allowed: false },
  { file: 'src/api/routes/v1/x.ts', code: "import type { I } from '../../../engine/invoke-service.js';", allowed: true },
  // process.env belongs to config/load.ts (tests may read it)
  { file: 'src/api/x.ts', code: 'export const p = process.env.PORT;', allowed: false },
  { file: 'src/config/load.ts', code: 'export const p = process.env.PORT;', allowed: true },
  { file: 'test/unit/x.test.ts', code: 'export const p = process.env.PORT;', allowed: true },
  // outer code may use adapters (the composition root wires them)
  { file: 'src/main.ts', code: "import { Q } from './adapters/queue/bullmq/queue.js';", allowed: true },
];

describe('eslint import boundaries', () => {
  it.each(cases)('$file: $code → allowed=$allowed', async ({ file, code, allowed }) => {
    const found = await violations(file, code);
    if (allowed) expect(found).toEqual([]);
    else expect(found.length).toBeGreaterThan(0);
  });
});

/** The rule as docs/architecture.md states it: the "folder | may import" table. */
function documentedLayers(): Record<string, string[]> {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const rows: Record<string, string[]> = {};
  for (const m of doc.matchAll(/^\| `(\w+)` \| (.*) \|$/gm)) {
    rows[m[1]!] = [...m[2]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!);
  }
  return rows;
}

describe('the dependency rule covers every folder of src/, as docs/architecture.md states it', () => {
  const documented = documentedLayers();
  const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('every folder of src/ has a row in the documented table', () => {
    expect(Object.keys(documented).sort()).toEqual(folders);
  });

  // Each folder importing each other folder: allowed exactly when the documented row lists it.
  const pairs = folders.flatMap((from) => folders.filter((to) => to !== from).map((to) => ({ from, to })));
  it.each(pairs)('src/$from → src/$to as documented', async ({ from, to }) => {
    const found = await violations(`src/${from}/deep/x.ts`, `import { a } from '../../${to}/x.js';`);
    if (documented[from]!.includes(to)) expect(found).toEqual([]);
    else expect(found.length).toBeGreaterThan(0);
  });
});
