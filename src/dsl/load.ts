import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { CompositionDefinition } from '../domain/composition.js';

/**
 * Loads a composition document from a file: YAML (`.yaml`/`.yml`), JSON, or a TypeScript/JavaScript module whose
 * default export is the IR (built with the DSL). Returns the document unvalidated: deploy (`PUT …/compositions`)
 * and `validateDefinition` check it.
 */
export async function loadCompositionFile(path: string): Promise<CompositionDefinition> {
  const ext = extname(path).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') {
    const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
    return mod.default as CompositionDefinition;
  }
  return parseComposition(await readFile(path, 'utf8'), ext === '.json' ? 'json' : 'yaml');
}

/** Parses YAML or JSON text into the IR (YAML 1.2 is a superset of JSON, but JSON errors read better from JSON). */
export function parseComposition(text: string, format: 'yaml' | 'json'): CompositionDefinition {
  return (format === 'json' ? JSON.parse(text) : parseYaml(text)) as CompositionDefinition;
}
