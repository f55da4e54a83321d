// Reaches into a webview from the workbench page. VS Code renders each webview as an <iframe class="webview">
// (its src names the owning extension) holding a second iframe, #active-frame, with the extension's HTML; the
// dashboard's DOM lives in that inner frame; scenarios 1, 3 and 4 read the loss curve, heatmaps and benchmark
// table there.
import type { Frame, Locator, Page } from 'playwright-core';
import { waitFor, type Workbench } from './workbench';

export const DISTILL_STUDIO_ID = 'distill-studio.distill-studio';

/** Editor tab title of the dashboard panel (DashboardPanel's title starts with it, in English). */
const DASHBOARD_TAB = /^Distill Dashboard/;

/** The content frame (#active-frame) inside a webview's outer iframe, once VS Code has created it. */
async function contentFrameOf(outer: Locator): Promise<Frame | undefined> {
  const outerFrame = await (await outer.elementHandle().catch(() => null))?.contentFrame();
  return (await (await outerFrame?.$('iframe#active-frame').catch(() => null))?.contentFrame()) ?? undefined;
}

/** What the page shows of editors and webviews, for a failure message: why no dashboard frame was found. */
async function webviewState(page: Page): Promise<string> {
  const tabs = await page
    .locator('.tabs-container .tab')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('aria-label') ?? e.textContent ?? '?'}${e.classList.contains('active') ? ' (active)' : ''}`,
      ),
    )
    .catch(() => []);
  const frames = await page
    .locator('iframe.webview')
    .evaluateAll((els) =>
      els.map((e) => {
        const src = e.getAttribute('src') ?? '';
        const id = /extensionId=([^&]+)/.exec(src)?.[1] ?? '(no extensionId)';
        const style = getComputedStyle(e);
        return `${decodeURIComponent(id)} visibility=${style.visibility} display=${style.display} ${e.clientWidth}x${e.clientHeight}`;
      }),
    )
    .catch(() => []);
  // Inside each: whether the content frame (#active-frame) exists and what it holds.
  const outers = page.locator('iframe.webview');
  for (let i = 0; i < frames.length; i++) {
    const inner = await contentFrameOf(outers.nth(i));
    const body =
      inner === undefined
        ? 'no #active-frame'
        : `content: ${(
            (await inner
              .locator('body')
              .innerText({ timeout: 1000 })
              .catch(() => '?')) || '(empty)'
          ).slice(0, 80)}`;
    frames[i] = `${frames[i] ?? ''} [${body.replace(/\s+/g, ' ')}]`;
  }
  return `editor tabs: ${tabs.length > 0 ? tabs.join(' | ') : '(none)'}; webview iframes: ${frames.length > 0 ? frames.join(' | ') : '(none)'}`;
}

export interface WebviewFrameOptions {
  extensionId?: string;
  /** Default 30 s; 50 s when `reopen` is given. */
  timeoutMs?: number;
  /** Opens the dashboard again the way the scenario did (the last recovery step, after closing its tab). */
  reopen?: () => Promise<void>;
  /** Hears of each recovery step taken, with what the page showed before it. */
  onRecovery?: (step: string, state: string) => void;
}

/**
 * The inner (content) frame of the visible webview owned by `extensionId`. The dashboard's own editor tab must
 * exist (the product opened it); when its page has not shown after 5 s, the tab is clicked (another editor may
 * cover it); after 12 s the webviews are reloaded once with Developer: Reload Webviews, a user's cure for VS
 * Code's occasional "Error loading webview: Could not register service workers" (microsoft/vscode#125993 and its
 * duplicates); after 22 s, with `reopen`, the tab is closed and the dashboard opened again. Each step is reported
 * through `onRecovery`; with no frame at all the error says which editor tabs, webview iframes, notifications and
 * console errors the page had.
 */
export async function webviewFrame(workbench: Workbench, options: WebviewFrameOptions = {}): Promise<Frame> {
  const page = workbench.page;
  const extensionId = options.extensionId ?? DISTILL_STUDIO_ID;
  const ours = extensionId === DISTILL_STUDIO_ID;
  const started = Date.now();
  const done = new Set<string>();
  const step = async (name: string, after: number, action: () => Promise<void>): Promise<void> => {
    if (!ours || done.has(name) || Date.now() - started < after) return;
    const state = await webviewState(page);
    await action();
    done.add(name);
    options.onRecovery?.(name, state);
  };
  try {
    return await waitFor(
      `a webview of ${extensionId}`,
      async () => {
        const outers = page.locator(`iframe.webview[src*="extensionId=${extensionId}"]`);
        for (let i = 0; i < (await outers.count()); i++) {
          const outer = outers.nth(i);
          if (!(await outer.isVisible())) continue;
          const inner = await contentFrameOf(outer);
          // The inner frame is replaced when the HTML is set; wait until it has a document body.
          if (inner !== undefined && (await inner.$('body')) !== null) return inner;
        }
        const tab = page.locator('.tabs-container .tab', { hasText: DASHBOARD_TAB }).first();
        if ((await tab.count()) === 0) return undefined;
        await step('clicked the dashboard tab', 5000, () => tab.click());
        await step('ran Developer: Reload Webviews', 12_000, () =>
          workbench.runCommand('Developer: Reload Webviews'),
        );
        const reopen = options.reopen;
        if (reopen !== undefined)
          await step('closed the dashboard tab and opened it again', 22_000, async () => {
            await tab.click();
            await workbench.runCommand('View: Close Editor');
            await reopen();
          });
        return undefined;
      },
      options.timeoutMs ?? (options.reopen !== undefined ? 50_000 : 30_000),
    );
  } catch (error) {
    const notes = await workbench.notificationTexts().catch(() => []);
    const consoleLines = workbench.consoleErrors().slice(-8);
    throw new Error(
      `${(error as Error).message}; ${await webviewState(page)}; notifications: ${notes.join(' | ') || '(none)'}; browser console: ${consoleLines.join(' | ') || '(nothing)'}`,
    );
  }
}

/**
 * What the dashboard scenarios read, in one place: the DOM hooks the dashboard (webview/src) renders. Locators
 * are relative to the webview's content frame.
 */
export const dashboard = {
  /** A tab by its visible name: Training, Attention, Benchmark, Doctor (a vscode-panel-tab, role "tab"). */
  tab: (frame: Frame, name: string): Locator => frame.getByRole('tab', { name, exact: true }),
  /** The total-loss chart; `data-points` holds how many points its series store (a canvas exposes nothing else). */
  lossChart: (frame: Frame): Locator => frame.locator('[data-testid="chart-loss-total"]'),
  /** The first mapped layer pair's heatmap of one model (a figure: token labels on both axes, then the canvas). */
  heatmap: (frame: Frame, which: 'teacher' | 'student' | 'diff'): Locator =>
    frame.locator('[data-testid^="pair-"]').first().locator(`figure.heatmap.${which}`),
  /** Token labels on a heatmap's axes (every label's title is its token; the text thins out on long inputs). */
  heatmapToken: '[data-testid="token-label"]',
  /** The benchmark results table's rows (a vscode-data-grid; one row per model and shape, plus the header). */
  benchmarkRows: (frame: Frame): Locator => frame.locator('[data-testid="benchmark-table"] [role="row"]'),
};

/**
 * Shows one webview before the scenarios: a Markdown preview of the workspace's README (VS Code's built-in
 * markdown extension). A fresh browser profile registers VS Code's webview service worker with its first webview,
 * and that first webview was seen, now and then, to stay blank (no content frame, no error) until closed; the
 * dashboard of scenario 1 should not be that first one. Never fails the session: it reports what it saw.
 */
export async function warmUpWebviews(workbench: Workbench, markdownFile: string): Promise<string> {
  const started = Date.now();
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(1);
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      await workbench.openFile(markdownFile);
      await workbench.runCommand('Markdown: Open Preview');
      const shown = await webviewFrame(workbench, {
        extensionId: 'vscode.markdown-language-features',
        timeoutMs: 20_000,
      }).then(
        () => true,
        () => false,
      );
      await workbench.runCommand('View: Close All Editors');
      // Opening the file showed the Explorer; the scenarios start from the Runs view, as a user of the extension would.
      await workbench.runsView();
      if (shown) return `a Markdown preview showed in ${seconds()} s (attempt ${attempt})`;
    }
    return `no Markdown preview showed in 2 attempts (${seconds()} s)`;
  } catch (error) {
    return `failed after ${seconds()} s: ${(error as Error).message.split('\n')[0] ?? ''}`;
  }
}
