// One code-server + Chromium session per test file, and the scenario wrapper: every scenario keeps a screenshot
// under test-results/e2e/, and a failing one reports what was on screen (screenshot path, notifications, the
// Distill Studio log with the trainer's output, extension-host errors, the runs' last events).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { e2eEnvironment, startCodeServer, type CodeServer, type E2eEnvironment } from './codeServer';
import { e2eWorkspace, type E2eWorkspace } from './workspace';
import { Workbench } from './workbench';

export interface Session {
  env: E2eEnvironment;
  server: CodeServer;
  browser: Browser;
  workbench: Workbench;
  workspace: E2eWorkspace;
  /** test-results/e2e/ */
  results: string;
  /** Set by a failing scenario: the profile and workspace are then kept for a look. */
  failed: boolean;
}

/** Settings for every profile: no start-up noise, small benchmark shapes (seconds, not minutes). */
const baseSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'files.simpleDialog.enable': true,
  'distillStudio.bench.batchSizes': [1, 8],
  'distillStudio.bench.sequenceLengths': [32],
};

export async function openSession(
  label: string,
  settings: Record<string, unknown>,
  prepare: (workspace: E2eWorkspace) => void,
): Promise<Session> {
  const env = e2eEnvironment();
  const results = join(env.results, 'e2e');
  mkdirSync(results, { recursive: true });
  const workspace = e2eWorkspace(label);
  prepare(workspace);
  const server = await startCodeServer({
    env,
    workspace: workspace.dir,
    settings: { ...baseSettings, ...settings },
    name: label,
  });
  const browser = await chromium.launch({
    executablePath: env.chromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const workbench = await Workbench.open(browser, server);
    return { env, server, browser, workbench, workspace, results, failed: false };
  } catch (error) {
    await browser.close();
    await server.stop();
    throw error;
  }
}

export async function closeSession(session: Session | undefined): Promise<void> {
  if (session === undefined) return;
  await session.browser.close().catch(() => undefined);
  await session.server.stop();
  // Kept on failure for a look; removed when everything passed.
  if (!session.failed) {
    rmSync(session.workspace.dir, { recursive: true, force: true });
    rmSync(join(session.server.userDataDir, '..'), { recursive: true, force: true });
  }
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The last events of every run folder in the workspace (what the trainer recorded). */
function runEvents(workspace: E2eWorkspace): string {
  const runs = workspace.path('runs');
  if (!existsSync(runs)) return '(no runs folder)';
  return readdirSync(runs)
    .map((name) => {
      const file = join(runs, name, 'events.jsonl');
      const events = existsSync(file) ? tail(readFileSync(file, 'utf8').trimEnd(), 5) : '(no events.jsonl)';
      return `--- runs/${name}/events.jsonl (last 5)\n${events}`;
    })
    .join('\n');
}

/** Everything a reader of a failure needs to see what the user saw. */
export async function describeScreen(session: Session, screenshot: string | undefined): Promise<string> {
  const wb = session.workbench;
  const notifications = await wb.notificationTexts().catch(() => []);
  return [
    `screenshot: ${screenshot ?? '(could not take one)'}`,
    `notifications:\n${notifications.length > 0 ? notifications.map((n) => `  - ${n}`).join('\n') : '  (none)'}`,
    `Distill Studio log (${wb.extensionLogFile() ?? 'missing'}), last 60 lines:\n${tail(wb.extensionLog(), 60)}`,
    `extension host errors:\n${tail(wb.extensionHostErrors(), 20) || '  (none)'}`,
    `browser console errors and warnings (last 20):\n${wb.consoleErrors().slice(-20).join('\n') || '  (none)'}`,
    runEvents(session.workspace),
    `code-server log: ${session.server.logFile}`,
  ].join('\n\n');
}

/**
 * Runs one scenario: on success keeps `<results>/<slug>.png`; on failure also writes `<slug>.failure.txt`
 * and fails with what was on screen appended to the error.
 */
export async function scenario(
  session: Session | undefined,
  name: string,
  body: (session: Session) => Promise<void>,
): Promise<void> {
  if (session === undefined) throw new Error('the code-server session did not start (see the before hook)');
  const base = join(session.results, slug(name));
  const started = Date.now();
  try {
    await session.workbench.reset();
    await body(session);
    await session.workbench.screenshot(`${base}.png`);
    console.log(`[e2e] ${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${base}.png)`);
  } catch (error) {
    session.failed = true;
    const screenshot = await session.workbench.screenshot(`${base}.png`).catch(() => undefined);
    const log = session.workbench.extensionLogFile();
    if (log !== undefined) copyFileSync(log, `${base}.distill-studio.log`);
    const report = await describeScreen(session, screenshot);
    writeFileSync(`${base}.failure.txt`, `${String(error)}\n\n${report}\n`);
    const message = error instanceof Error ? error.message : String(error);
    const failure = new Error(`${message}\n\n${report}`);
    if (error instanceof Error && error.stack !== undefined)
      failure.stack = `${failure.message}\n${error.stack}`;
    throw failure;
  }
}
