// ESLint flat config: typescript-eslint's recommended rules (syntactic only, to keep lint fast) plus import boundaries
// that make dependencies point inward — domain ← ports ← engine/invoker ← adapters/api — and keep `process.env` in
// `src/config/load.ts`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node modules that do I/O; the domain is pure. */
const NODE_IO = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'tls'];
const nodeIoPaths = NODE_IO.flatMap((name) => [name, `node:${name}`]).map((name) => ({
  name,
  message: 'src/domain is pure: I/O belongs in an adapter behind a port.',
}));

/** A `no-restricted-imports` pattern for relative imports into the given top-level folders of src. */
const layers = (names, message) => ({ group: names.flatMap((n) => [`**/${n}`, `**/${n}/**`]), message });

// Flat config does not merge options of one rule across blocks, so each layer gets exactly one block.
const boundaries = [
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIoPaths,
          patterns: [
            layers(
              ['ports', 'adapters', 'engine', 'invoker', 'api', 'config'],
              'src/domain may not depend on outer layers (ports, adapters, engine, invoker, api, config).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Sibling ports (`./x.js`) and the domain (`../domain/…`) only.
              regex: '^\\.\\./(?!domain/)|^\\.\\./\\.\\./',
              message: 'src/ports may depend only on src/domain (and other ports).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/invoker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layers(
              ['adapters', 'api'],
              'engine/invoker depend on ports, not on concrete adapters or the HTTP API; wire adapters in at the edge.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            layers(
              ['adapters', 'invoker'],
              'src/api talks to the engine through its ports (e.g. InvokeService), not to adapters or the invoker.',
            ),
          ],
        },
      ],
    },
  },
];

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
