// Lint rules, including the architecture's boundary zones:
// - src/trainer, src/config, src/data, src/protocol never import `vscode` (they run as a plain Node process);
// - src/extension and webview never import TensorFlow.js or onnxruntime (a long CPU loop or a native crash in the
//   extension host freezes every extension), nor trainer code;
// - src/protocol imports nothing outside itself; webview imports no Node built-ins.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const computeLibraries = [
  {
    group: ['@tensorflow/*'],
    message: 'TensorFlow.js runs in the trainer child process only (src/trainer).',
  },
  {
    group: ['onnxruntime-node', 'onnxruntime-*'],
    message: 'onnxruntime runs in the trainer child process only (src/trainer).',
  },
];
const noVscode = {
  name: 'vscode',
  message: 'Only src/extension may import vscode; this code runs as a plain Node process.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'out/', 'runs/', '.cache/', 'test-results/', 'examples/**/runs/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  {
    files: ['src/trainer/**/*.ts', 'src/config/**/*.ts', 'src/data/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/config/**/*.ts', 'src/data/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            ...computeLibraries,
            {
              group: ['**/trainer/**', '**/extension/**'],
              message: 'Shared config/data code may not depend on a runtime.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./)',
              message: 'src/protocol imports nothing outside itself (it is shared by all three runtimes).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...computeLibraries,
            {
              group: ['**/trainer/**'],
              message: 'The extension talks to the trainer over IPC; it never imports it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'The webview talks to the host with postMessage only.' }],
          patterns: [
            ...computeLibraries,
            { regex: '^node:', message: 'The webview runs in a browser sandbox: no Node built-ins.' },
            {
              group: ['**/trainer/**', '**/extension/**', '**/config/**', '**/data/**'],
              message: 'The webview may import only src/protocol.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'bin/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
  {
    // bin/ and the e2e fixture extension are plain CommonJS that Node and VS Code load as they are.
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
