// Reaches into a webview from the workbench page. VS Code renders each webview as an <iframe class="webview">
// (its src names the owning extension) holding a second iframe, #active-frame, with the extension's HTML; the
// dashboard's DOM lives in that inner frame; scenarios 1, 3 and 4 read the loss curve, heatmaps and benchmark
// table there.
import type { Frame, Locator, Page } from 'playwright-core';
import { waitFor } from './workbench';

export const DISTILL_STUDIO_ID = 'distill-studio.distill-studio';

/** Editor tab title of the dashboard panel (DashboardPanel's title starts with it, in English). */
const DASHBOARD_TAB = /^Distill Dashboard/;

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
    const outerFrame = await (
      await outers
        .nth(i)
        .elementHandle()
        .catch(() => null)
    )?.contentFrame();
    const inner = await (await outerFrame?.$('iframe#active-frame').catch(() => null))?.contentFrame();
    const body =
      inner === null || inner === undefined
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

/**
 * The inner (content) frame of the visible webview owned by `extensionId`. When the dashboard's editor tab is
 * open but another editor covers it, the tab is clicked, as a user would, and `onCovered` hears of it; with no
 * frame at all the error says which editor tabs and webview iframes the page had.
 */
export async function webviewFrame(
  page: Page,
  extensionId = DISTILL_STUDIO_ID,
  timeoutMs = 30_000,
  onCovered?: (state: string) => void,
): Promise<Frame> {
  let clicked = false;
  const started = Date.now();
  try {
    return await waitFor(
      `a webview of ${extensionId}`,
      async () => {
        const outers = page.locator(`iframe.webview[src*="extensionId=${extensionId}"]`);
        for (let i = 0; i < (await outers.count()); i++) {
          const outer = outers.nth(i);
          if (!(await outer.isVisible())) continue;
          const outerFrame = await (await outer.elementHandle())?.contentFrame();
          const inner = await (await outerFrame?.$('iframe#active-frame'))?.contentFrame();
          // The inner frame is replaced when the HTML is set; wait until it has a document body.
          if (inner !== null && inner !== undefined && (await inner.$('body')) !== null) return inner;
        }
        if (!clicked && extensionId === DISTILL_STUDIO_ID && Date.now() - started > 5000) {
          const tab = page.locator('.tabs-container .tab', { hasText: DASHBOARD_TAB }).first();
          if ((await tab.count()) > 0 && !(await tab.evaluate((e) => e.classList.contains('active')))) {
            onCovered?.(await webviewState(page));
            clicked = true;
            await tab.click();
          }
        }
        return undefined;
      },
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${await webviewState(page)}`);
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
