/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The BUILT dashboard page (dist/webview) in headless Chromium, fed by the host's own code paths: fixture events.jsonl
// read by RunEventsReader, reports by readRunReports, strings by dashboardStrings (English, and Korean from the l10n
// bundle). Asserts that charts and heatmaps were drawn (non-blank canvas pixels), token labels are there, tabs
// switch, appends grow the curves, attention maps are fetched by request id, no CSP violation or console error
// occurs and nothing is loaded from outside the bundle. Screenshots are kept under test-results/. Skips only when
// Chromium is absent (CI installs it: .ci/run).
import { l10n } from '../../helpers/vscodeMock';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dashboardStrings } from '../../../src/extension/dashboard/dashboardStrings';
import { readRunReports } from '../../../src/extension/dashboard/dashboardReports';
import { RunEventsReader } from '../../../src/extension/dashboard/runEventsReader';
import { RunHistory, type HistoryEvent } from '../../../src/protocol/runHistory';
import { PROTOCOL_VERSION } from '../../../src/protocol/version';
import { fixtureEvents, writeFixtureRun } from '../../helpers/dashboardFixtures';
import { chromiumPath, closeBrowser, openWebviewPage, type WebviewPage } from '../../helpers/webviewPage';

const skip = chromiumPath() === undefined ? 'Chromium is not installed (apt-get install chromium)' : false;
after(() => closeBrowser());

interface Run {
  dir: string;
  reader: RunEventsReader;
}

async function fixtureRun(
  name: string,
  events = fixtureEvents({ runName: name }),
  reports = true,
): Promise<Run> {
  const dir = writeFixtureRun(join(mkdtempSync(join(tmpdir(), 'dash-render-')), name), events, reports);
  const reader = new RunEventsReader(join(dir, 'events.jsonl'));
  await reader.read();
  return { dir, reader };
}

async function snapshot(
  runs: Run[],
  strings = dashboardStrings(),
  locale = 'en',
  focusTab?: string,
): Promise<unknown> {
  return {
    type: 'snapshot',
    payload: {
      protocolVersion: PROTOCOL_VERSION,
      locale,
      strings,
      runs: runs.map((r) => ({
        id: r.dir,
        name: r.reader.history.runName ?? r.dir,
        status: 'done',
        description: 'done',
      })),
      selection: { primary: runs[0]?.dir, compare: runs.slice(1).map((r) => r.dir) },
      data: await Promise.all(
        runs.map(async (r) => ({
          runId: r.dir,
          history: r.reader.history.toData(),
          reports: await readRunReports(r.dir),
        })),
      ),
      ...(focusTab !== undefined ? { focusTab } : {}),
    },
  };
}

/** Non-background pixels of a canvas (alpha > 0 and not the page background). */
async function inkedPixels(page: WebviewPage['page'], selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    if (ctx === null || c.width === 0 || c.height === 0) return 0;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = getComputedStyle(document.body).backgroundColor.match(/\d+/g)?.map(Number) ?? [0, 0, 0];
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
      if (a > 0 && Math.abs(r - (bg[0] ?? 0)) + Math.abs(g - (bg[1] ?? 0)) + Math.abs(b - (bg[2] ?? 0)) > 30)
        n++;
    }
    return n;
  });
}

/** Answers the page's attention requests from the reader, as the panel does. */
function answerAttention(view: WebviewPage, runs: Run[]): () => void {
  let answered = 0;
  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped && !view.page.isClosed()) {
      const requests = view.posted.filter((m) => (m as { type?: string }).type === 'attention');
      for (const request of requests.slice(answered)) {
        answered++;
        const p = (request as { payload: { requestId: number; runId: string; snapshotId: number } }).payload;
        const run = runs.find((r) => r.dir === p.runId);
        const maps = run !== undefined ? await run.reader.readAttention(p.snapshotId) : 'unknown run';
        await view
          .send({
            type: 'attention',
            payload: typeof maps === 'string' ? { ...p, error: maps } : { ...p, maps },
          })
          .catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

test(
  'the built dashboard draws curves, heatmaps, benchmark and doctor results for fixture runs',
  { skip, timeout: 120_000 },
  async () => {
    const view = await openWebviewPage({ theme: 'dark' });
    assert.ok(view !== undefined);
    try {
      const ready = await view.waitForPosted('ready');
      assert.deepEqual(ready['payload'], {
        protocolVersion: PROTOCOL_VERSION,
        selection: { primary: undefined, compare: [] },
      });
      const main = await fixtureRun('reviews-kd');
      const other = await fixtureRun(
        'reviews-kd-lr3',
        fixtureEvents({ runName: 'reviews-kd-lr3', seed: 11, stageSteps: [40, 100] }),
        false,
      );
      const started = Date.now();
      await view.send(await snapshot([main, other]));
      const page = view.page;
      await page.waitForSelector('[data-testid="chart-loss-total"] canvas');
      const renderMs = Date.now() - started;
      // Every loss term of the fixture has a chart, plus learning rate, samples/s and the eval metrics.
      for (const key of [
        'loss-total',
        'loss-softLabel',
        'loss-hardLabel',
        'loss-hidden',
        'loss-attention',
        'loss-embedding',
        'learning-rate',
        'samples-per-second',
        'eval-accuracy',
        'eval-macro-f1',
      ])
        assert.ok(await page.$(`[data-testid="chart-${key}"]`), `chart ${key}`);
      assert.ok(
        (await inkedPixels(page, '[data-testid="chart-loss-total"] canvas')) > 500,
        'the total loss curve is drawn',
      );
      assert.ok(
        (await inkedPixels(page, '[data-testid="chart-eval-accuracy"] canvas')) > 100,
        'the eval curve is drawn',
      );
      const points = Number(
        await page.$eval('[data-testid="chart-loss-total"]', (e) => (e as HTMLElement).dataset['points']),
      );
      assert.equal(points, 200 + 140, 'both runs overlaid: every stored step of each');
      await view.screenshot('dashboard-training-dark');

      // Appends grow the curve (what a live run does).
      const more = fixtureEvents({ runName: 'reviews-kd', stageSteps: [60, 200] }).filter(
        (e) => e.type === 'step' && e.payload.globalStep > 200,
      );
      const before = main.reader.history.eventCount;
      for (const e of more) main.reader.history.apply(e as HistoryEvent);
      await view.send({ type: 'append', payload: { runId: main.dir, from: before, events: more } });
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="chart-loss-total"]')?.getAttribute('data-points') ===
          String(260 + 140),
      );
      // An append that does not continue the page's copy asks for a resync instead of corrupting it.
      const posted = view.posted.length;
      await view.send({ type: 'append', payload: { runId: main.dir, from: 3, events: more.slice(0, 1) } });
      assert.deepEqual((await view.waitForPosted('resync', posted))['payload'], { runId: main.dir });

      // Hover readout reads the full series.
      const box = await page.$eval('[data-testid="chart-loss-total"] .u-over', (e) => {
        const r = e.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      });
      await page.mouse.move(box.x, box.y);
      await page.waitForFunction(() =>
        (document.querySelector('[data-testid="readout-loss-total"]')?.textContent ?? '').includes(
          'reviews-kd',
        ),
      );

      // Attention tab: teacher, student and difference heatmaps with token labels.
      const stop = answerAttention(view, [main, other]);
      await page.click('[data-testid="tab-attention"]');
      await page.waitForSelector('[data-testid="heatmap-diff"]');
      const attentionRequest = await view.waitForPosted('attention');
      assert.equal((attentionRequest['payload'] as { runId: string }).runId, main.dir);
      for (const kind of ['teacher', 'student', 'diff'])
        assert.ok(
          (await inkedPixels(page, `[data-testid="heatmap-${kind}"]`)) > 50,
          `${kind} heatmap is drawn`,
        );
      const tokens = await page.$$eval('[data-testid="token-label"]', (els) => els.map((e) => e.textContent));
      for (const token of ['[CLS]', 'movie', 'not', '[SEP]'])
        assert.ok(tokens.includes(token), `token label ${token}`);
      assert.equal(
        await page.$$eval('[data-testid^="pair-"]', (els) => els.length),
        2,
        'both mapped layer pairs',
      );
      assert.ok(await page.$('[data-testid="attention-layer-bars"] .bar-row'), 'per-layer distance bars');
      // The slider walks the snapshots: the first one is further from the teacher than the last.
      const last = await page.$eval('[data-testid="heatmap-diff"]', (e) => e.getAttribute('aria-label'));
      assert.ok(last?.includes('teacher layer'), 'heatmaps are labelled for screen readers');
      await page.$eval('[data-testid="snapshot-slider"]', (e) => {
        const input = e as HTMLInputElement;
        input.value = '0';
        input.dispatchEvent(new Event('input'));
      });
      await page.waitForFunction(() =>
        (document.querySelector('#snapshot + output')?.textContent ?? '').includes('1 of'),
      );
      // Korean probe: pick probe 2, its tokens label the axes.
      await page.$eval('[data-testid="probe"]', (e) => {
        const d = e as HTMLElement & { value: string };
        d.value = '1';
        d.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="token-label"]')].some((e) => e.textContent === '재미'),
      );
      await page.mouse.move(0, 0);
      const heat = await page.$eval('[data-testid="heatmap-teacher"]', (e) => {
        const r = e.getBoundingClientRect();
        return { x: r.left + 8, y: r.top + 8 };
      });
      await page.mouse.move(heat.x, heat.y);
      await page.waitForFunction(() =>
        (document.querySelector('[data-testid="attention-readout"]')?.textContent ?? '').includes('[CLS]'),
      );
      await view.screenshot('dashboard-attention-dark');
      stop();

      // Benchmark tab: the run's saved bench files as a table and bars, with speed-ups against the teacher.
      await page.click('[data-testid="tab-benchmark"]');
      await page.waitForSelector('[data-testid="benchmark-table"]');
      const table = await page.$eval('[data-testid="benchmark-table"]', (e) => e.textContent ?? '');
      for (const text of ['teacher', 'student', 'student-int8', 'int8', '4.00×', '82.0%'])
        assert.ok(table.includes(text), `benchmark table shows ${text}`);
      assert.equal(await page.$$eval('[data-testid="bench-latency"] .bar-row', (els) => els.length), 3);
      assert.match(
        await page.$eval('[data-testid="benchmark-provenance"]', (e) => e.textContent ?? ''),
        /onnxruntime 1\.30\.0 on Test CPU.*1 thread.*CPU/,
      );
      await view.screenshot('dashboard-benchmark-dark');

      // Doctor tab: stages, attribution and the finding with its fix.
      await page.click('[data-testid="tab-doctor"]');
      await page.waitForSelector('[data-testid="doctor-findings"]');
      assert.match(
        await page.$eval('[data-testid="doctor-findings"]', (e) => e.textContent ?? ''),
        /TRUNCATION.*--max-length 128/s,
      );
      assert.match(
        await page.$eval('[data-testid="doctor-attribution"]', (e) => e.textContent ?? ''),
        /Quantization.*3\.0 pts/s,
      );
      await view.screenshot('dashboard-doctor-dark');

      // The page saved its UI choices (and the runs it shows, for a restore) but no run data.
      const state = (await view.state()) as {
        tab: string;
        selection: { primary: string };
        attention: { probe: number };
      };
      assert.equal(state.tab, 'doctor');
      assert.equal(state.selection.primary, main.dir);
      assert.equal(state.attention.probe, 1);
      assert.ok(JSON.stringify(state).length < 2000, 'no data in the saved state');
      assert.deepEqual(view.problems, []);
      console.log(
        `# snapshot of 2 runs (${main.reader.history.rows}+${other.reader.history.rows} steps) to first chart: ${renderMs} ms`,
      );
    } finally {
      await view.close();
    }
  },
);

test(
  'Korean strings, light and high-contrast themes, focus on the Attention tab, 100k points decimated',
  { skip, timeout: 120_000 },
  async () => {
    const bundle = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;
    const original = l10n.t;
    l10n.t = (message: string, ...args: unknown[]) => original(bundle[message] ?? message, ...args);
    let strings;
    try {
      strings = dashboardStrings();
    } finally {
      l10n.t = original;
    }
    const main = await fixtureRun('리뷰-증류', fixtureEvents({ runName: '리뷰-증류', longProbe: 90 }));
    for (const theme of ['light', 'high-contrast'] as const) {
      const view = await openWebviewPage({ theme, lang: 'ko' });
      assert.ok(view !== undefined);
      try {
        await view.waitForPosted('ready');
        const stop = answerAttention(view, [main]);
        await view.send(await snapshot([main], strings, 'ko', 'attention'));
        const page = view.page;
        await page.waitForSelector('[data-testid="heatmap-diff"]');
        assert.equal(await page.$eval('[data-testid="tab-training"]', (e) => e.textContent), '학습');
        assert.ok((await inkedPixels(page, '[data-testid="heatmap-teacher"]')) > 50);
        // The long probe (90 tokens) shows a window of 48 tokens per axis with a slider over the rest.
        await page.$eval('[data-testid="probe"]', (e) => {
          const d = e as HTMLElement & { value: string };
          d.value = '2';
          d.dispatchEvent(new Event('change'));
        });
        await page.waitForFunction(() =>
          (document.querySelector('#window-start + output')?.textContent ?? '').includes('90'),
        );
        const labels = await page.$$eval('[data-testid="heatmap-teacher"]', (els) => els.length);
        assert.equal(labels, 2, 'both pairs of the long probe');
        const rowLabels = await page.$$eval(
          '[data-testid="pair-2-1"] .teacher .row-labels .token',
          (els) => els.length,
        );
        assert.equal(rowLabels, 48, 'a 48-token window, not 90 rows');
        await view.screenshot(`dashboard-attention-ko-${theme}`);
        stop();
        await page.click('[data-testid="tab-training"]');
        await page.waitForSelector('[data-testid="chart-loss-total"] canvas');
        assert.ok((await inkedPixels(page, '[data-testid="chart-loss-total"] canvas')) > 500);
        await view.screenshot(`dashboard-training-ko-${theme}`);
        assert.deepEqual(view.problems, []);
      } finally {
        await view.close();
      }
    }

    // 100k steps: the chart draws a decimated copy (a few points per pixel column), the stored series stays whole.
    const history = new RunHistory();
    const start = Date.UTC(2025, 0, 1);
    history.apply({
      type: 'run-start',
      time: start,
      payload: {
        protocolVersion: PROTOCOL_VERSION,
        runName: 'long',
        configFile: '/x',
        backend: 'wasm',
        stages: [{ name: 'kd', kind: 'distill', steps: 100_000 }],
      },
    });
    history.apply({
      type: 'stage-change',
      time: start,
      payload: { stage: 'kd', index: 0, kind: 'distill', steps: 100_000, trainLayers: 'all' },
    });
    for (let i = 1; i <= 100_000; i++)
      history.apply({
        type: 'step',
        time: start + i * 100,
        payload: {
          stage: 'kd',
          step: i,
          globalStep: i,
          epoch: i / 1000,
          losses: { total: 1 / Math.sqrt(i) + (i === 77_777 ? 5 : 0) + 0.01 * Math.sin(i) },
          learningRate: 1e-4,
          samplesPerSecond: 100,
        },
      });
    const view = await openWebviewPage({ theme: 'dark' });
    assert.ok(view !== undefined);
    try {
      await view.waitForPosted('ready');
      const started = Date.now();
      await view.send({
        type: 'snapshot',
        payload: {
          protocolVersion: PROTOCOL_VERSION,
          locale: 'en',
          strings: dashboardStrings(),
          runs: [{ id: '/runs/long', name: 'long', status: 'done', description: '' }],
          selection: { primary: '/runs/long', compare: [] },
          data: [
            {
              runId: '/runs/long',
              history: history.toData(),
              reports: { benchmarks: [], doctor: undefined, onnxFiles: [], problems: [] },
            },
          ],
        },
      });
      const page = view.page;
      await page.waitForSelector('[data-testid="chart-loss-total"] canvas');
      const ms = Date.now() - started;
      const chart = await page.$eval('[data-testid="chart-loss-total"]', (e) => ({
        points: Number((e as HTMLElement).dataset['points']),
        drawn: Number((e as HTMLElement).dataset['drawn']),
        width: e.clientWidth,
      }));
      assert.equal(chart.points, 100_000);
      assert.ok(
        chart.drawn < 4 * 2 * chart.width + 10,
        `drew ${chart.drawn} points for ${chart.width} px (raw + smoothed)`,
      );
      assert.ok(chart.drawn > chart.width / 2, 'but one per pixel column at least');
      // The spike at step 77,777 survives decimation: the y range reaches it.
      const top = await page.evaluate(() => {
        const d = (
          window as unknown as {
            distillDashboard: { debug: { training: { charts: Map<string, { yRange: [number, number] }> } } };
          }
        ).distillDashboard;
        return d.debug.training.charts.get('loss-total')?.yRange[1] ?? 0;
      });
      assert.ok(top > 5, `the y range (${top}) includes the spike`);
      await view.screenshot('dashboard-training-100k');
      console.log(`# 100k-step snapshot to first chart: ${ms} ms, ${chart.drawn} points drawn`);
      assert.deepEqual(view.problems, []);
    } finally {
      await view.close();
    }
    rmSync(main.dir, { recursive: true, force: true });
  },
);
