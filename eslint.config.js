// ESLint flat config: typescript-eslint's recommended rules (syntactic only, to keep lint fast), the import
// boundaries of LAYERS below, and `process.env` only in `src/config/load.ts`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node modules that do I/O; the domain is pure. */
const NODE_IO = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'tls'];
const nodeIoPaths = NODE_IO.flatMap((name) => [name, `node:${name}`]).map((name) => ({
  name,
  message: 'src/domain is pure: I/O belongs in an adapter behind a port.',
}));

/**
 * The dependency rule, the one place it is written (docs/architecture.md shows the same table, and
 * test/unit/meta/import-boundaries.test.ts checks that the two agree and that every folder of src/ has a row): what
 * each top-level folder of src/ may import from the others. Dependencies point inward; only src/main.ts, the
 * composition root, may import anything.
 */
export const LAYERS = {
  errors: [],
  domain: ['errors'],
  ports: ['domain', 'errors'],
  config: ['domain', 'errors'],
  engine: ['ports', 'domain', 'errors'],
  invoker: ['ports', 'domain', 'errors'],
  adapters: ['ports', 'domain', 'errors'],
  api: ['engine', 'dsl', 'config', 'ports', 'domain', 'errors'],
  dsl: ['domain', 'errors'],
  cli: ['dsl', 'domain', 'errors'],
};

/**
 * Composition roots: they wire adapters to the core, so they may import anything. `whirl admin` opens the stores
 * directly with the server's configuration, as OpenWhisk's wskadmin does, so its command file is one.
 */
export const COMPOSITION_ROOTS = ['src/main.ts', 'src/cli/commands/admin.ts'];

/** A `no-restricted-imports` pattern for relative imports into the given top-level folders of src. */
const layers = (names, message) => ({ group: names.flatMap((n) => [`**/${n}`, `**/${n}/**`]), message });

// Flat config does not merge options of one rule across blocks, so each folder gets exactly one block.
const boundaries = Object.entries(LAYERS).map(([folder, allowed]) => {
  const denied = Object.keys(LAYERS).filter((other) => other !== folder && !allowed.includes(other));
  const message =
    `src/${folder} may import only ${allowed.length ? allowed.map((a) => `src/${a}`).join(', ') : 'nothing else in src'}` +
    ' (the dependency rule: eslint.config.js LAYERS, docs/architecture.md).';
  return {
    files: [`src/${folder}/**/*.ts`],
    ignores: COMPOSITION_ROOTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...(folder === 'domain' ? { paths: nodeIoPaths } : {}),
          patterns: [layers(denied, message)],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.services/**', '.whirl/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests assert on arbitrary JSON from the HTTP API (`body.annotations.find((a: any) => …)`); typing every response
    // would add noise, not safety. Production code keeps the rule.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/load.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config/load.ts reads process.env; take a Config.' },
      ],
    },
  },
  ...boundaries,
);
