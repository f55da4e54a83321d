// Packages the extension as a platform-specific VSIX that can train. The trainer bundle keeps TensorFlow.js and
// onnxruntime-node external (see build.mjs), so the VSIX must carry them: the files that the built trainer
// actually loads (found by esbuild from dist/trainer/cli.js), the wasm binaries, and onnxruntime's native
// library for the one target platform. Usage: node scripts/package.mjs [--target linux-x64] [--out file.vsix] [--no-build]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '..');

/** VS Code's target names (`vsce package --target`) for a Node platform and arch. */
export function hostTarget(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

/**
 * Runtime files that esbuild cannot see because they are read from disk, not required: per package, a folder
 * (`{platform}`/`{arch}` are the target's) and which of its files.
 */
const runtimeAssets = {
  // Loaded through setWasmPaths(dist/) in src/trainer/backend/backend.ts.
  '@tensorflow/tfjs-backend-wasm': [{ dir: 'dist', files: /\.wasm$/ }],
  // The N-API binding and the shared library beside it, for one platform only (each is 25-86 MB).
  'onnxruntime-node': [{ dir: 'bin/napi-v6/{platform}/{arch}', files: /./ }],
};

/** Files (not folders) in `dir` (relative to root) whose names match `pattern`, as root-relative paths. */
function filesIn(dir, pattern) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => `${dir}/${e.name}`);
}

/** Optional native backends: detected at run time, never shipped (they download libtensorflow at install). */
const optionalNative = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** The package folder (relative to root, `node_modules/...`) that holds `file`. */
function packageDirOf(file) {
  const parts = file.split('/');
  const at = parts.lastIndexOf('node_modules');
  const scoped = parts[at + 1]?.startsWith('@') === true;
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

/** Every node_modules file the built trainer needs at run time on `target` (`<platform>-<arch>`). */
export async function trainerRuntimeFiles(target) {
  const [platform, arch] = target.split('-');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['dist/trainer/cli.js'],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    outfile: 'closure.js',
    external: optionalNative,
    // onnxruntime-node requires its binding through a template; esbuild lists every platform's, filtered below.
    loader: { '.node': 'empty' },
    logLevel: 'silent',
  });
  const required = Object.keys(result.metafile.inputs).filter(
    (f) => f.startsWith('node_modules/') && !f.endsWith('.node'),
  );
  const packages = new Set(required.map(packageDirOf));
  const files = new Set(required);
  for (const dir of packages) {
    // package.json resolves `main` (and require.resolve('<pkg>/package.json')); licences travel with the code.
    for (const f of filesIn(dir, /^(package\.json|LICEN[CS]E.*|NOTICE.*)$/i)) files.add(f);
  }
  for (const file of required) {
    // The nearest package.json decides whether a .js file is CommonJS or ESM (onnxruntime-common's dist/cjs/
    // has its own {"type": "commonjs"} under a package that says "module").
    const top = packageDirOf(file);
    for (let dir = dirname(file); dir.length > top.length; dir = dirname(dir))
      if (existsSync(join(root, dir, 'package.json'))) files.add(`${dir}/package.json`);
  }
  for (const [name, assets] of Object.entries(runtimeAssets)) {
    const pkg = `node_modules/${name}`;
    if (!packages.has(pkg)) throw new Error(`${name} is no longer used by the trainer: update runtimeAssets`);
    for (const asset of assets) {
      const dir = `${pkg}/${asset.dir.replace('{platform}', platform).replace('{arch}', arch)}`;
      const matched = filesIn(dir, asset.files);
      if (matched.length === 0) throw new Error(`nothing in ${dir}: does ${name} support ${target}?`);
      for (const f of matched) files.add(f);
    }
  }
  return [...files].sort();
}

/** The production dependency folders npm knows (relative to root), as `vsce package` will list them. */
function productionPackages() {
  const list = spawnSync('npm', ['list', '--omit=dev', '--parseable', '--all', '--loglevel=error'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (list.status !== 0) throw new Error(`npm list failed:\n${list.stderr}`);
  return list.stdout
    .split('\n')
    .map((line) => relative(root, line.trim()).replaceAll('\\', '/'))
    .filter((dir) => dir.startsWith('node_modules/'));
}

/**
 * Lays out the extension in `stage`: the top-level entries .vscodeignore keeps, and a node_modules holding every
 * production package's package.json (so vsce's `npm list` is satisfied) plus the trainer's runtime files. vsce
 * then matches its ignore patterns against a few hundred files instead of the 20,000 in node_modules, which
 * takes seconds instead of minutes.
 */
function stageExtension(stage, ignoreRules, runtime) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const topLevel = new Set(
    ignoreRules
      .filter((rule) => rule.startsWith('!'))
      .map((rule) => rule.slice(1).split('/')[0])
      .filter((name) => name !== '' && !name.includes('*') && existsSync(join(root, name))),
  );
  for (const name of topLevel)
    cpSync(join(root, name), join(stage, name), {
      recursive: true,
      // A run of an example in the repo can be large; the ignore rules would drop it anyway.
      filter: (source) => !/[\\/](runs|node_modules)$/.test(source),
    });
  const files = [...productionPackages().map((dir) => `${dir}/package.json`), ...runtime];
  for (const file of new Set(files)) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    cpSync(join(root, file), join(stage, file));
  }
}

/** Builds (unless `build` is false: the caller just did), then writes the VSIX; returns its path. */
export async function packageVsix({ target = hostTarget(), out, build = true } = {}) {
  if (build) {
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const vsix = resolve(out ?? join(root, `${manifest.name}-${target}-${manifest.version}.vsix`));
  const runtime = await trainerRuntimeFiles(target);
  // .vscodeignore says what the extension ships; the runtime files are added to it here because they depend on
  // the target and on what the trainer bundle requires.
  const ignoreRules = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
  const stage = join(root, '.cache', 'vsix', `stage-${target}`);
  stageExtension(stage, ignoreRules, runtime);
  writeFileSync(join(stage, '.vscodeignore'), [...ignoreRules, ...runtime.map((f) => `!${f}`)].join('\n'));
  mkdirSync(dirname(vsix), { recursive: true });
  const vsce = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--target',
      target,
      '--out',
      vsix,
      // No public repository yet: README's relative links stay relative (they open inside VS Code).
      '--no-rewrite-relative-links',
      '--allow-missing-repository',
    ],
    { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (vsce.status !== 0) throw new Error(`vsce package failed (exit ${vsce.status})`);
  console.log(`packaged ${relative(process.cwd(), vsix)} (${runtime.length} runtime files for ${target})`);
  return vsix;
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, out: { type: 'string' }, 'no-build': { type: 'boolean' } },
  });
  await packageVsix({ target: values.target, out: values.out, build: values['no-build'] !== true });
}
