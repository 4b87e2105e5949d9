// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'coverage/**', 'docs/screenshots/**', '**/node_modules/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with its nearest tsconfig.json: the service's, console/'s or widget/'s.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The reason for the type-checked rules: a promise nobody awaits loses its error and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // pg's rows, supertest's bodies and JSON.parse are `any` by design and are checked where they are read; these
      // rules flag every such read (about 3,700 places) without finding bugs the type check misses.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `any` is the honest type of a row or a payload before it is validated, for the same reason as above.
      '@typescript-eslint/no-explicit-any': 'off',
      // An `async` function without `await` is deliberate where a Promise is expected (WorkerHost.process, mocks),
      // and it turns a throw into a rejection the caller handles.
      '@typescript-eslint/require-await': 'off',
      // A value assigned once, after a closure that reads it was made (a server's handler), stays `let`; so does a
      // destructuring where one of the names is reassigned.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
      // BullMQ's job names and HTTP statuses arrive as plain strings and numbers and are compared with our enums.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // The control-character classes are deliberate: they strip or refuse control characters in untrusted input.
      'no-control-regex': 'off',
      // A leading underscore marks a parameter or a destructured field left out on purpose (`{ secret: _secret, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      // `expect(mock.method).toHaveBeenCalled()` passes a method without its object, which is what jest wants.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain JavaScript (build scripts, jest's config, a test's OIDC provider) belongs to no tsconfig.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
      },
    },
  },
  // Formatting is Prettier's: no lint rule may disagree with it.
  prettier,
);
