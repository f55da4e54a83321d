// Installs what the end-to-end tests need, each piece once, into .cache/e2e/ keyed on its version: Debian's build
// and browser packages (apt-get, only what is missing), a Node 24 runtime from the npm registry, and code-server
// (the real VS Code workbench; it needs Node 24 for its install and to run). A second run finds them and skips.
// Recipe verified in shared/docs/environment.md ("A real VS Code in a real browser").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Pinned versions; changing one re-installs that piece (the folder name is the cache key). */
export const E2E_VERSIONS = {
  /** npm package `node-<platform>-<arch>`: a Node binary with its headers (native modules build against them). */
  node: '24.22.3',
  /** code-server 4.139.1 is VS Code 1.139 (package.json engines.vscode must not ask for more). */
  codeServer: '4.139.1',
};

/** Debian packages: Chromium and CJK fonts for the browser, the rest to build code-server's native modules. */
export const APT_PACKAGES = [
  'chromium',
  'fonts-noto-cjk',
  'build-essential',
  'python3',
  'pkg-config',
  'libkrb5-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'libsecret-1-dev',
];

export const CHROMIUM = '/usr/bin/chromium';

const root = resolve(import.meta.dirname, '..');
export const CACHE_DIR = join(root, '.cache', 'e2e');

/** Runs a command with inherited output; throws with the command line when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false, ...options });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
}

/** Times a phase and prints how long it took, also when it was skipped. */
export async function phase(name, body) {
  const start = performance.now();
  const note = await body();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`[e2e] ${name}: ${note ?? 'done'} (${seconds} s)`);
}

function missingAptPackages() {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...APT_PACKAGES], {
    encoding: 'utf8',
  });
  if (result.error !== undefined) return APT_PACKAGES; // not Debian: the message below says what to install
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  return APT_PACKAGES.filter((name) => !installed.has(name));
}

/** Installs the missing Debian packages (root with apt-get), else says what to install. */
export function ensureAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) return 'all present';
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt)
    throw new Error(
      `The end-to-end tests need these Debian packages: ${missing.join(' ')}.\n` +
        `Install them with: sudo apt-get install -y ${missing.join(' ')}`,
    );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  return `installed ${missing.join(' ')}`;
}

/**
 * The environment without what an outer `npm run` exports (npm_config_*, npm_package_*, ...): a nested npm reads
 * those as its own config, so under `npm run test:e2e` it would keep the outer npm's user agent ("node/v20"),
 * which code-server's postinstall reads to refuse any Node but 24.
 */
function withoutNpmConfig(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * `npm install <spec>` into a fresh folder, then renamed to `dir` with a marker, so an interrupted install is never
 * mistaken for a finished one.
 */
function npmInstallOnce(dir, key, specs, env) {
  const marker = join(dir, '.installed');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === key) return false;
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  // Its own package.json, so npm does not walk up into the project (and its .npmrc, allowScripts).
  writeFileSync(join(partial, 'package.json'), JSON.stringify({ name: 'e2e-cache', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: partial,
    env: withoutNpmConfig(env),
  });
  writeFileSync(join(partial, '.installed'), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return true;
}

/** The Node 24 runtime: { dir (its package folder, with include/ for node-gyp), bin, node }. */
export function ensureNode() {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = join(CACHE_DIR, `${name}-${E2E_VERSIONS.node}`);
  const installed = npmInstallOnce(dir, E2E_VERSIONS.node, [`${name}@${E2E_VERSIONS.node}`], process.env);
  const pkg = join(dir, 'node_modules', name);
  return { installed, dir: pkg, bin: join(pkg, 'bin'), node: join(pkg, 'bin', 'node') };
}

/** code-server, installed and built with Node 24 first on PATH: { installed, entry }. */
export function ensureCodeServer(node) {
  const dir = join(CACHE_DIR, `code-server-${E2E_VERSIONS.codeServer}-node-${E2E_VERSIONS.node}`);
  // npm's `#!/usr/bin/env node` then runs on Node 24 too, and so do the install scripts.
  const env = { ...process.env, PATH: `${node.bin}${delimiter}${process.env.PATH ?? ''}` };
  const installed = npmInstallOnce(
    dir,
    `${E2E_VERSIONS.codeServer}/${E2E_VERSIONS.node}`,
    // node-gyp builds against the headers that ship with the runtime package (it cannot download them here).
    [`code-server@${E2E_VERSIONS.codeServer}`, `--nodedir=${node.dir}`],
    env,
  );
  return { installed, entry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js') };
}

/** Everything the tests need; prints each phase's time. */
export async function setUp() {
  await phase('apt packages', () => ensureAptPackages());
  let node;
  await phase(`Node ${E2E_VERSIONS.node}`, () => {
    node = ensureNode();
    return node.installed ? 'installed' : 'cached';
  });
  let codeServer;
  await phase(`code-server ${E2E_VERSIONS.codeServer}`, () => {
    codeServer = ensureCodeServer(node);
    return codeServer.installed ? 'installed' : 'cached';
  });
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium).`);
  return { node: node.node, nodeBin: node.bin, codeServer: codeServer.entry, chromium: CHROMIUM };
}

if (process.argv[1] === import.meta.filename) {
  const paths = await setUp();
  console.log(JSON.stringify(paths, null, 2));
}
