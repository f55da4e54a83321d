// Bundles the three runtimes separately with esbuild: the extension host (CommonJS, `vscode` external), the
// trainer + CLI (Node; native addons external) and the dashboard webview (browser IIFE).
// `--watch` rebuilds on change; `--production` minifies.
import { copyFileSync, mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Prints errors as `file:line:col: error: ...`, the shape .vscode/tasks.json's problem matcher reads. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log(`[watch] build started (${build.initialOptions.outfile})`));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        if (location)
          console.error(`${location.file}:${location.line}:${location.column + 1}: error: ${text}`);
        else console.error(`error: ${text}`);
      }
      console.log(`[watch] build finished (${build.initialOptions.outfile})`);
    });
  },
};

const common = {
  bundle: true,
  // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  plugins: watch ? [problemMatcherPlugin] : [],
};

// Native addons stay external, and so does all of TensorFlow.js: the wasm and native backends register their
// kernels on the @tensorflow/tfjs-core instance they require from node_modules, so the trainer must use that same
// instance rather than a bundled copy (a second copy prints "Platform node has already been set" and never sees
// the wasm backend).
const nativeExternals = ['onnxruntime-node', '@tensorflow/*'];

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/trainer/cli.ts'],
    outfile: 'dist/trainer/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nativeExternals,
  },
  {
    ...common,
    entryPoints: ['webview/src/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

// The dashboard page template (the extension fills its CSP nonce and resource URIs).
mkdirSync('dist/webview', { recursive: true });
copyFileSync('webview/index.html', 'dist/webview/index.html');

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`built ${builds.map((b) => b.outfile).join(', ')}, dist/webview/index.html`);
}
