// Reaches into a webview from the workbench page. VS Code renders each webview as an <iframe class="webview">
// (its src names the owning extension) holding a second iframe, #active-frame, with the extension's HTML; the
// dashboard's DOM lives in that inner frame. Proven against the built webview shell (scenario "webview
// helper"); the dashboard scenarios use it for the loss curve, heatmaps and benchmark table.
import type { Frame, Page } from 'playwright-core';
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

/** Waits until the element `selector` in the webview has text matching `pattern`; returns the text. */
export async function webviewText(
  frame: Frame,
  selector: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  return waitFor(
    `"${selector}" in the webview to match ${pattern}`,
    async () => {
      const text = await frame.locator(selector).first().innerText({ timeout: 1000 });
      return pattern.test(text) ? text : undefined;
    },
    timeoutMs,
  );
}

/**
 * What the dashboard scenarios read, in one place. The dashboard (issue #7) must render these; the names are the
 * contract between the dashboard and the end-to-end tests (see test/e2e/README.md).
 */
export const dashboardSelectors = {
  /** A tab by its visible name: Training, Attention, Benchmark, Doctor. */
  tab: (name: string) => `[role="tab"]:text-is("${name}")`,
  /** The loss chart; `data-points` holds how many steps it has drawn (canvas charts expose nothing else). */
  lossChart: '[data-testid="loss-chart"]',
  /** One heatmap per model: teacher, student, diff; each with its token labels as text. */
  heatmap: (which: 'teacher' | 'student' | 'diff') => `[data-testid="heatmap-${which}"]`,
  /** Token labels on a heatmap's axes. */
  heatmapToken: '[data-testid="heatmap-token"]',
  /** The benchmark results table: one row per model. */
  benchmarkRow: '[data-testid="benchmark-table"] [role="row"]',
};
