import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseComposition } from '../dsl/load.js';
import { usageError } from './cli-error.js';
import { typecheckFile } from './typecheck-file.js';

/**
 * Reads a composition for `composition deploy`: YAML (`.yaml`, `.yml`), JSON (`.json`), or a TypeScript/JavaScript
 * module (`.ts`, `.mts`, `.js`, `.mjs`) whose default export (or export named `composition`) is the IR document, a
 * DSL value with `toJSON()`, or a function returning either. A TypeScript module is type-checked first
 * (typecheck-file.ts) and refused on an error. Validation is the API's job (it names the offending node's path);
 * this only checks that the file yields a JSON object.
 */
export async function loadCompositionFile(
  cwd: string,
  file: string,
  warn: (line: string) => void = () => {},
): Promise<Record<string, unknown>> {
  const path = resolve(cwd, file);
  const ext = extname(path).toLowerCase();
  let value: unknown;
  if (ext === '.ts' || ext === '.mts') {
    const errors = await typecheckFile(path);
    if (errors === undefined) warn(`not type-checked: the typescript package is not installed (${file})`);
    else if (errors.length > 0) throw usageError(`composition module ${file} does not type-check:\n${errors.join('\n')}`);
  }
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    value = await importModule(path, file);
  } else {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw usageError(`cannot read composition file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      value = parseComposition(text, ext === '.json' ? 'json' : 'yaml');
    } catch (err) {
      throw usageError(`composition file ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
    }
  }
  // Round-trip through JSON: DSL builders serialise themselves, and the API receives exactly what would be sent.
  const doc = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw usageError(`composition file ${file} does not hold a composition (a JSON object)`);
  }
  return doc as Record<string, unknown>;
}

async function importModule(path: string, file: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    if (path.endsWith('ts')) {
      // tsx's scoped loader, so .ts works whether the CLI runs from source or from dist/.
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    }
  } catch (err) {
    throw usageError(`cannot load composition module ${file}: ${(err as Error).message}`);
  }
  let value = mod.default ?? mod.composition;
  // A module outside an ESM package is compiled as CommonJS: its default export arrives wrapped once more.
  if (isObject(value) && !('root' in value) && 'default' in value) value = value.default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  if (value === undefined) throw usageError(`composition module ${file} has no default export (or 'composition')`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
