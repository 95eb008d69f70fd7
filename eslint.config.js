// ESLint for the CLI's own code: src/, runtime/, test/, bench/, scripts/, bin/.
// Formatting is Prettier's job (.prettierrc.json): these rules look for bugs, not style.
import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {ignores: ['dist/', 'node_modules/', 'templates/', 'tmp/', '.wsapi/']},
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: {reportUnusedDisableDirectives: 'error'},
    languageOptions: {ecmaVersion: 2023, globals: globals.node, sourceType: 'module'},
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
          varsIgnorePattern: '^_',
        },
      ],
      // Awaits one after another in a loop are often an accident; where they are the point (pages that follow a token,
      // pacing, polling) a disable comment marks it, with the reason when the code does not show it.
      'no-await-in-loop': 'error',
      // A best-effort cleanup ignores its failure on purpose.
      'no-empty': ['error', {allowEmptyCatch: true}],
    },
  },
  {
    files: ['test/**'],
    languageOptions: {globals: globals.mocha},
    rules: {
      // Tests read JSON documents and match terminal escape sequences, and wait for events one after another.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-await-in-loop': 'off',
      'no-control-regex': 'off',
    },
  },
  // runtime/ is copied into every generated project, which does not run ESLint: no disable comments there.
  {files: ['runtime/**'], rules: {'no-await-in-loop': 'off'}},
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs'},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
