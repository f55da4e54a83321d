// Starts code-server (the real VS Code workbench, served to a browser) on 127.0.0.1 at a free port with a fresh
// profile: its own user-data and extensions folders, the Distill Studio VSIX installed with --install-extension,
// and test user settings. Paths come from scripts/e2e.mjs through E2E_* environment variables.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface E2eEnvironment {
  /** code-server's out/node/entry.js. */
  codeServer: string;
  /** Folder holding the Node 24 binary that code-server needs. */
  nodeBin: string;
  vsix: string;
  chromium: string;
  /** test-results/ (screenshots, logs). */
  results: string;
}

/** The environment scripts/e2e.mjs prepared; a clear error when run without it. */
export function e2eEnvironment(): E2eEnvironment {
  const read = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '')
      throw new Error(`${name} is not set: run the end-to-end tests with \`npm run test:e2e\`.`);
    return value;
  };
  return {
    codeServer: read('E2E_CODE_SERVER'),
    nodeBin: read('E2E_NODE_BIN'),
    vsix: read('E2E_VSIX'),
    chromium: read('E2E_CHROMIUM'),
    results: read('E2E_RESULTS'),
  };
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own stdout/stderr. */
  logFile: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  env: E2eEnvironment;
  /** The folder to open. */
  workspace: string;
  /** User settings (settings.json). */
  settings: Record<string, unknown>;
  /** A name for the log file. */
  name: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A profile outside the repository: Node resolves modules by walking up the folders, so an extension installed
 * under the repo would find the repo's node_modules and hide files missing from the VSIX.
 */
function freshProfile(): { userDataDir: string; extensionsDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'distill-e2e-profile-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  return { userDataDir, extensionsDir };
}

function serverEnv(env: E2eEnvironment): NodeJS.ProcessEnv {
  // Node 24 first on PATH for code-server (and so the trainer the extension spawns finds a Node too).
  return { ...process.env, PATH: `${env.nodeBin}${delimiter}${process.env['PATH'] ?? ''}` };
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited (${child.exitCode}); its log:\n${readFileSync(logFile, 'utf8')}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs / 1000} s; log: ${logFile}`);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { env } = options;
  const { userDataDir, extensionsDir } = freshProfile();
  const node = join(env.nodeBin, 'node');
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const extensions = [env.vsix].flatMap((v) => ['--install-extension', v]);
  const install = spawnSync(node, [env.codeServer, ...common, ...extensions], {
    env: serverEnv(env),
    encoding: 'utf8',
  });
  if (install.status !== 0 || !readdirSync(extensionsDir).some((d) => d.startsWith('distill-studio.')))
    throw new Error(`--install-extension ${env.vsix} failed:\n${install.stdout}\n${install.stderr}`);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(options.settings, null, 2));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(env.results, { recursive: true });
  const logFile = join(env.results, `code-server-${options.name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(
    node,
    [
      env.codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...common,
      options.workspace,
    ],
    { env: serverEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitForHttp(url, child, logFile, 60_000);
  return {
    url,
    userDataDir,
    extensionsDir,
    logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
