// Loads the BUILT dashboard page (dist/webview) in headless Chromium through playwright-core, with a stand-in for
// VS Code's webview host: acquireVsCodeApi (postMessage / getState / setState), the theme's CSS variables and body
// class, and the real page template filled by the extension's own renderPage (same CSP, nonce and asset URLs, served
// from a fake webview origin). Messages to the page go through window.postMessage (a structured clone, so typed
// arrays arrive as typed arrays, as VS Code delivers them); messages from it are collected. Reusable by the
// end-to-end tests. Returns undefined where Chromium is not installed (`apt-get install chromium`).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, renderPage } from '../../src/extension/dashboard/dashboardHtml';

export const ORIGIN = 'https://webview.test';
const DIST = join(__dirname, '..', '..', 'dist', 'webview');
export const RESULTS_DIR = join(__dirname, '..', '..', 'test-results');

/** Chromium for the render tests: CHROMIUM_PATH, else Debian's. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Theme = 'dark' | 'light' | 'high-contrast';

/** A subset of what VS Code sets on a webview: enough for the toolkit and the dashboard to look like the theme. */
export const THEMES: Record<Theme, Record<string, string>> = {
  dark: {
    'font-family': 'sans-serif',
    'font-size': '13px',
    foreground: '#cccccc',
    'editor-background': '#1e1e1e',
    'editor-foreground': '#d4d4d4',
    descriptionForeground: '#9d9d9d',
    errorForeground: '#f48771',
    focusBorder: '#007fd4',
    'widget-border': '#454545',
    'panel-border': '#454545',
    'button-background': '#0e639c',
    'button-foreground': '#ffffff',
    'button-secondaryBackground': '#3a3d41',
    'button-secondaryForeground': '#ffffff',
    'dropdown-background': '#3c3c3c',
    'dropdown-foreground': '#f0f0f0',
    'dropdown-border': '#3c3c3c',
    'checkbox-background': '#3c3c3c',
    'checkbox-border': '#3c3c3c',
    'checkbox-foreground': '#f0f0f0',
    'panelTitle-activeForeground': '#e7e7e7',
    'panelTitle-inactiveForeground': '#9d9d9d',
    'panelTitle-activeBorder': '#e7e7e7',
    'badge-background': '#4d4d4d',
    'badge-foreground': '#ffffff',
    'editorWarning-foreground': '#cca700',
    'editorError-foreground': '#f14c4c',
    'charts-blue': '#3794ff',
    'charts-red': '#f14c4c',
    'charts-yellow': '#cca700',
    'charts-green': '#89d185',
    'charts-purple': '#b180d7',
    'charts-orange': '#d18616',
    'editor-selectionBackground': '#264f78',
  },
  light: {
    'font-family': 'sans-serif',
    'font-size': '13px',
    foreground: '#616161',
    'editor-background': '#ffffff',
    'editor-foreground': '#000000',
    descriptionForeground: '#717171',
    errorForeground: '#a1260d',
    focusBorder: '#0090f1',
    'widget-border': '#d4d4d4',
    'panel-border': '#d4d4d4',
    'button-background': '#007acc',
    'button-foreground': '#ffffff',
    'button-secondaryBackground': '#5f6a79',
    'button-secondaryForeground': '#ffffff',
    'dropdown-background': '#ffffff',
    'dropdown-foreground': '#616161',
    'dropdown-border': '#cecece',
    'checkbox-background': '#ffffff',
    'checkbox-border': '#919191',
    'checkbox-foreground': '#616161',
    'panelTitle-activeForeground': '#424242',
    'panelTitle-inactiveForeground': '#717171',
    'panelTitle-activeBorder': '#424242',
    'badge-background': '#c4c4c4',
    'badge-foreground': '#333333',
    'editorWarning-foreground': '#bf8803',
    'editorError-foreground': '#e51400',
    'charts-blue': '#1a85ff',
    'charts-red': '#e51400',
    'charts-yellow': '#bf8803',
    'charts-green': '#388a34',
    'charts-purple': '#652d90',
    'charts-orange': '#d18616',
    'editor-selectionBackground': '#add6ff',
  },
  'high-contrast': {
    'font-family': 'sans-serif',
    'font-size': '13px',
    foreground: '#ffffff',
    'editor-background': '#000000',
    'editor-foreground': '#ffffff',
    descriptionForeground: '#ffffff',
    errorForeground: '#f48771',
    focusBorder: '#f38518',
    contrastBorder: '#6fc3df',
    'widget-border': '#6fc3df',
    'button-background': '#000000',
    'button-foreground': '#ffffff',
    'dropdown-background': '#000000',
    'dropdown-foreground': '#ffffff',
    'dropdown-border': '#6fc3df',
    'charts-blue': '#3794ff',
    'charts-red': '#f14c4c',
    'charts-yellow': '#ffd700',
    'charts-green': '#89d185',
    'charts-purple': '#b180d7',
    'charts-orange': '#d18616',
  },
};

export interface WebviewPage {
  page: Page;
  /** Messages the page posted to the host, in order. */
  readonly posted: unknown[];
  /** CSP violations and console errors the page reported. */
  readonly problems: string[];
  /** Posts a host message to the page (typed arrays survive). */
  send(message: unknown): Promise<void>;
  /** Waits for the page to post a message of `type` (after `after` messages), returns it. */
  waitForPosted(type: string, after?: number, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Saves a PNG under test-results/. */
  screenshot(name: string): Promise<string>;
  /** The page's saved UI state (vscode.setState). */
  state(): Promise<unknown>;
  close(): Promise<void>;
}

/** Encodes typed arrays for the trip into the page (playwright serialises arguments as JSON-like values). */
export function encodeForPage(value: unknown): unknown {
  if (value instanceof Float64Array || value instanceof Float32Array)
    return {
      __typed: value instanceof Float64Array ? 'Float64Array' : 'Float32Array',
      base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
    };
  if (Array.isArray(value)) return value.map(encodeForPage);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeForPage(v)]));
  return value;
}

/** The stand-in for VS Code's webview host, run before the page's own scripts. */
function hostShim(variables: Record<string, string>, bodyClass: string, state: unknown): string {
  return `(() => {
  // Functions the test passes to page.evaluate are compiled by tsx, which names them through __name.
  globalThis.__name = (f) => f;
  let saved = ${JSON.stringify(state ?? null)} ?? undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__distillToHost(m),
    getState: () => saved,
    setState: (s) => { saved = s; },
  });
  window.__distillState = () => saved;
  const variables = ${JSON.stringify(variables)};
  const theme = () => {
    for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty('--vscode-' + name, value);
  };
  const body = () => document.body.classList.add(${JSON.stringify(bodyClass)});
  if (document.documentElement) theme();
  new MutationObserver((_, observer) => {
    if (document.documentElement) theme();
    if (document.body) { body(); observer.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('securitypolicyviolation', (e) =>
    console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + (e.sample || '')));
  const decode = (v) => {
    if (Array.isArray(v)) return v.map(decode);
    if (v !== null && typeof v === 'object') {
      if (typeof v.__typed === 'string' && typeof v.base64 === 'string') {
        const bytes = Uint8Array.from(atob(v.base64), (c) => c.charCodeAt(0));
        return v.__typed === 'Float64Array' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
    }
    return v;
  };
  window.__distillFromHost = (m) => window.postMessage(decode(m), '*');
})();`;
}

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.map': 'application/json',
};

let sharedBrowser: Promise<Browser> | undefined;

/** One browser per test process (pages are isolated in their own contexts). */
function browser(executablePath: string): Promise<Browser> {
  sharedBrowser ??= chromium.launch({ executablePath, args: LAUNCH_ARGS });
  return sharedBrowser;
}

export async function closeBrowser(): Promise<void> {
  const b = sharedBrowser;
  sharedBrowser = undefined;
  if (b !== undefined) await (await b).close();
}

export async function openWebviewPage(
  options: { theme?: Theme; width?: number; height?: number; state?: unknown; lang?: string } = {},
): Promise<WebviewPage | undefined> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) return undefined;
  if (!existsSync(join(DIST, 'main.js')) || !existsSync(join(DIST, 'index.html')))
    throw new Error('dist/webview is not built: run npm run build (npm test builds first).');
  const theme = options.theme ?? 'dark';
  const context = await (
    await browser(executablePath)
  ).newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const posted: unknown[] = [];
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.exposeFunction('__distillToHost', (m: unknown) => posted.push(m));
  // A string, not a function: the test runner's TypeScript transform would add helpers the page does not have.
  await page.addInitScript(hostShim(THEMES[theme], `vscode-${theme}`, options.state));
  const nonce = makeNonce();
  const html = renderPage(readFileSync(join(DIST, 'index.html'), 'utf8'), {
    cspSource: ORIGIN,
    nonce,
    scriptUri: `${ORIGIN}/main.js`,
    styleUri: `${ORIGIN}/main.css`,
    lang: options.lang ?? 'en',
    title: 'Distill Dashboard',
    loading: 'Loading the run…',
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === 'index.html') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const file = join(DIST, name);
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      contentType: MIME[extname(file)] ?? 'application/octet-stream',
      body: readFileSync(file),
    });
  });
  // Anything else (a CDN, the network) is refused and reported: the page must need nothing outside the bundle.
  await page.route(/^(?!https:\/\/webview\.test\/).*/, (route) => {
    problems.push(`blocked request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`${ORIGIN}/index.html`);
  return {
    page,
    posted,
    problems,
    send: (message) =>
      page.evaluate(
        (m) => (window as unknown as { __distillFromHost: (m: unknown) => void }).__distillFromHost(m),
        encodeForPage(message),
      ),
    async waitForPosted(type, after = 0, timeoutMs = 15_000) {
      const start = Date.now();
      for (;;) {
        const found = posted.slice(after).find((m) => (m as { type?: unknown }).type === type);
        if (found !== undefined) return found as Record<string, unknown>;
        if (Date.now() - start > timeoutMs)
          throw new Error(
            `the page posted no "${type}" message; got ${JSON.stringify(posted)} ${problems.join('; ')}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async screenshot(name) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const path = join(RESULTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    state: () =>
      page.evaluate(() => (window as unknown as { __distillState: () => unknown }).__distillState()),
    close: () => context.close(),
  };
}
