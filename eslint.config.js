// Lint rules kept as code (issue #14): typescript-eslint's recommended and type-checked sets, plus
// no `any` outside the tests. Style is left to the existing code; these rules catch mistakes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // .stryker-tmp*: Stryker's sandboxes, whole copies of the repository (npm run mutation).
  { ignores: ['dist/', 'review-out/', 'node_modules/', 'examples/', '.stryker-tmp*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // tsconfig.lint.json also covers test/ and vitest.config.ts, which the build leaves out.
      parserOptions: { project: ['./tsconfig.lint.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Escaping control characters for XML/JSON is the point of those patterns.
      'no-control-regex': 'off',
      // Its only hits are `const { explain: _e, ...data } = r`, which drops the method on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // The code marks deliberately unused bindings with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Detaching an ArrayBuffer in a thread makes V8 slow down every typed-array access
    // compiled after it (measured: a worker's expansion ran about 20 % slower).
    files: ['checker/**/*.ts', 'models/**/*.ts', 'run/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'workerpool', property: 'Transfer', message: 'return copies: a transfer detaches the buffer in the worker (see level-worker.ts)' },
        { property: 'transfer', message: 'detaching an ArrayBuffer slows every later typed-array access in this thread' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
