// Reaches into a webview from the workbench page. VS Code renders each webview as an <iframe class="webview">
// (its src names the owning extension) holding a second iframe, #active-frame, with the extension's HTML; the
// dashboard's DOM lives in that inner frame; scenarios 1, 3 and 4 read the loss curve, heatmaps and benchmark
// table there.
import type { Frame, Locator, Page } from 'playwright-core';
import { waitFor } from './workbench';

export const DISTILL_STUDIO_ID = 'distill-studio.distill-studio';

/** The inner (content) frame of the visible webview owned by `extensionId`. */
export async function webviewFrame(
  page: Page,
  extensionId = DISTILL_STUDIO_ID,
  timeoutMs = 30_000,
): Promise<Frame> {
  return waitFor(
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
      return undefined;
    },
    timeoutMs,
  );
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
