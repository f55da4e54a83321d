// Dashboard benchmark (part of `npm run bench`): the BUILT page in headless Chromium with 3 overlaid runs of
// 100,000 steps each (6 loss columns + lr + samples/s): snapshot to first drawn chart, a full re-render of the
// Training tab (what every live append costs, at most 5 times a second), a zoom, and the M4 decimation alone; the
// same re-render with 1,000 steps per run is measured in the same page for the ratio. Needs Chromium.
import '../test/helpers/vscodeMock';
import { dashboardStrings } from '../src/extension/dashboard/dashboardStrings';
import { RunHistory } from '../src/protocol/runHistory';
import { PROTOCOL_VERSION } from '../src/protocol/version';
import { closeBrowser, openWebviewPage } from '../test/helpers/webviewPage';
import { decimate } from '../webview/src/training/decimate';

function history(steps: number, seed: number): RunHistory {
  const h = new RunHistory();
  const t0 = Date.UTC(2025, 0, 1);
  h.apply({
    type: 'run-start',
    time: t0,
    payload: {
      protocolVersion: PROTOCOL_VERSION,
      runName: `run-${seed}`,
      configFile: '/c',
      backend: 'wasm',
      stages: [],
    },
  });
  h.apply({
    type: 'stage-change',
    time: t0,
    payload: { stage: 'kd', index: 0, kind: 'distill', steps, trainLayers: 'all' },
  });
  for (let i = 1; i <= steps; i++) {
    const d = 1 / Math.sqrt(i + seed);
    const n = 1 + 0.2 * Math.sin(i * 0.37 + seed);
    h.apply({
      type: 'step',
      time: t0 + i * 120,
      payload: {
        stage: 'kd',
        step: i,
        globalStep: i,
        epoch: i / 1000,
        learningRate: 1e-4 * (1 - i / steps),
        samplesPerSecond: 150 * n,
        losses: {
          total: 4 * d * n,
          softLabel: d * n,
          hardLabel: 0.5 * d,
          hidden: 2 * d * n,
          attention: 0.3 * d,
          embedding: 0.2 * d,
        },
      },
    });
  }
  return h;
}

const empty = { benchmarks: [], doctor: undefined, onnxFiles: [], problems: [] };
const snapshot = (runs: RunHistory[]): unknown => ({
  type: 'snapshot',
  payload: {
    protocolVersion: PROTOCOL_VERSION,
    locale: 'en',
    strings: dashboardStrings(),
    runs: runs.map((_, i) => ({ id: `/runs/${i}`, name: `run-${i}`, status: 'done', description: '' })),
    selection: { primary: '/runs/0', compare: runs.slice(1).map((_, i) => `/runs/${i + 1}`) },
    data: runs.map((h, i) => ({ runId: `/runs/${i}`, history: h.toData(), reports: empty })),
  },
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(
  steps: number,
): Promise<{ firstMs: number; renderMs: number; zoomMs: number; drawn: number }> {
  const view = await openWebviewPage({ theme: 'dark', width: 1400, height: 1000 });
  if (view === undefined) throw new Error('Chromium is not installed (apt-get install chromium)');
  try {
    await view.waitForPosted('ready');
    const runs = [history(steps, 1), history(steps, 2), history(steps, 3)];
    // Timed in the page, from the message event to the drawn chart (the harness's own encoding is left out).
    await view.page.evaluate(() => {
      const w = window as unknown as { receivedAt: number };
      window.addEventListener('message', () => (w.receivedAt = performance.now()), {
        capture: true,
        once: true,
      });
    });
    await view.send(snapshot(runs));
    await view.page.waitForSelector('[data-testid="chart-loss-total"] canvas');
    const firstMs = await view.page.evaluate(
      () => performance.now() - (window as unknown as { receivedAt: number }).receivedAt,
    );
    const times = await view.page.evaluate(() => {
      const d = (
        window as unknown as {
          distillDashboard: {
            renderNow(): void;
            save?: unknown;
            state: { training: { zoom: Record<string, [number, number]> } };
          };
        }
      ).distillDashboard;
      const render: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        d.renderNow();
        render.push(performance.now() - t);
      }
      d.state.training.zoom['loss-total'] = [40_000, 41_000];
      const t = performance.now();
      d.renderNow();
      return { render, zoom: performance.now() - t };
    });
    const drawn = Number(
      await view.page.$eval('[data-testid="chart-loss-total"]', (e) => (e as HTMLElement).dataset['drawn']),
    );
    return { firstMs, renderMs: median(times.render), zoomMs: times.zoom, drawn };
  } finally {
    await view.close();
  }
}

async function main(): Promise<void> {
  const big = await measure(100_000);
  const small = await measure(1_000);
  const xs = Float64Array.from({ length: 100_000 }, (_, i) => i + 1);
  const ys = Float64Array.from(xs, (x) => 1 / Math.sqrt(x));
  const dec: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    decimate(xs, ys, { xMin: 1, xMax: 100_000, buckets: 600 });
    dec.push(performance.now() - t);
  }
  await closeBrowser();
  console.log(
    'dashboard, 3 overlaid runs x 8 series (6 losses, lr, samples/s), Training tab, headless Chromium:',
  );
  console.log(
    `  100,000 steps/run: snapshot -> first chart ${big.firstMs.toFixed(0)} ms; full re-render ${big.renderMs.toFixed(1)} ms (median of 7); zoomed re-render ${big.zoomMs.toFixed(1)} ms; total-loss chart draws ${big.drawn} points`,
  );
  console.log(
    `    1,000 steps/run: snapshot -> first chart ${small.firstMs.toFixed(0)} ms; full re-render ${small.renderMs.toFixed(1)} ms`,
  );
  console.log(`  re-render 100k / 1k: ${(big.renderMs / small.renderMs).toFixed(1)}x for 100x the points`);
  console.log(
    `  M4 decimation of 100,000 points to 600 columns: ${median(dec).toFixed(2)} ms (median of 20, Node)`,
  );
}

void main();
