// The Benchmark tab: the run's saved benchmark results (Benchmark ONNX Model and the run's exports) as a table and
// bar charts of latency percentiles, throughput, size and accuracy for teacher and student fp32 / fp16 / int8,
// speed-ups against a chosen baseline, and what they were measured with (execution provider, threads, CPU).
import type { BenchFileData } from '../../../src/protocol/dashboard';
import { barChart, type BarRow } from '../barChart';
import { mix, runColor, type ThemeColors } from '../colors';
import { h } from '../dom';
import { formatFixed, formatInteger, formatMiB, formatPercent, t } from '../i18n';
import type { Store } from '../store';
import { createButton, createDataGrid, createDropdown } from '../toolkit';
import type { UiState } from '../uiState';
import {
  accuracyOf,
  defaultBaseline,
  geoMeanSpeedup,
  pointAt,
  roleOf,
  shapes,
  sortBenchmarks,
  speedupAt,
} from './benchmarkModel';

export function roleLabel(b: BenchFileData): string {
  const r = roleOf(b);
  const text = `${t(r.who === 'teacher' ? 'roleTeacher' : 'roleStudent')} ${r.precision}`;
  return r.checkpoint ? t('roleCheckpoint', text) : text;
}

function runtimeLabel(b: BenchFileData): string {
  return b.model.runtime === 'tfjs'
    ? `TensorFlow.js ${b.model.backend ?? ''}`.trim()
    : `onnxruntime ${b.model.executionProvider.toUpperCase()}`;
}

const threads = (b: BenchFileData): string =>
  b.settings.threads === undefined ? t('threadsDefault') : t('threadsN', b.settings.threads);

export class BenchmarkTab {
  readonly element: HTMLElement;
  private readonly baseline = createDropdown<string>(
    'baseline',
    t('baseline'),
    (v) => this.set((s) => (s.benchmark.baseline = v)),
    'baseline',
  );
  private readonly shape = createDropdown<string>(
    'shape',
    t('shape'),
    (v) => this.set((s) => (s.benchmark.shape = v)),
    'shape',
  );
  private readonly content = h('div', { class: 'bench-content', testid: 'benchmark-results' });
  private readonly controls: HTMLElement;

  constructor(
    private readonly store: Store,
    private readonly state: () => UiState,
    private readonly save: (change: (s: UiState) => void) => void,
    private readonly theme: () => ThemeColors,
    private readonly command: (command: 'benchmark' | 'export') => void,
  ) {
    this.controls = h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': t('tabBenchmark') },
      this.baseline.element,
      this.shape.element,
    );
    this.element = h('div', { class: 'tab benchmark' }, this.controls, this.content);
  }

  private set(change: (s: UiState) => void): void {
    this.save(change);
    this.render();
  }

  render(): void {
    const run = this.store.primary;
    const list = sortBenchmarks(run?.reports.benchmarks ?? []);
    const problems = run?.reports.problems.filter((p) => p.includes('.bench.json')) ?? [];
    if (run === undefined || list.length === 0) {
      this.controls.hidden = true;
      const hasOnnx = (run?.reports.onnxFiles.length ?? 0) > 0;
      this.content.replaceChildren(
        h('p', { class: 'empty', testid: 'benchmark-empty' }, t('noBench')),
        h(
          'div',
          { class: 'actions' },
          hasOnnx
            ? createButton(t('runBenchmark'), () => this.command('benchmark'), { testId: 'run-benchmark' })
            : undefined,
          createButton(t('runExport'), () => this.command('export'), {
            secondary: hasOnnx,
            testId: 'run-export',
          }),
        ),
        ...problems.map((p) => h('p', { class: 'problem' }, p)),
      );
      return;
    }
    this.controls.hidden = false;
    const st = this.state().benchmark;
    const base = list.find((b) => b.file === st.baseline) ?? defaultBaseline(list) ?? list[0];
    if (base === undefined) return;
    this.baseline.setOptions(
      list.map((b) => ({ value: b.file, label: `${roleLabel(b)} · ${b.model.name}` })),
      base.file,
    );
    const all = shapes(list);
    const shape = all.find((s) => s.key === st.shape) ?? all[0];
    this.shape.setOptions(
      all.map((s) => ({ value: s.key, label: t('shapeLabel', s.batch, s.sequence) })),
      shape?.key ?? '',
    );
    const shapeKey = shape?.key ?? '';
    const shapeText = shape !== undefined ? t('shapeLabel', shape.batch, shape.sequence) : '';
    const doctor = run.reports.doctor;
    const evals = run.history.evals;
    const rows = list.map((b) => {
      const p = pointAt(b, shapeKey);
      const speed = b === base ? 1 : speedupAt(base, b, shapeKey);
      const geo = b === base ? 1 : geoMeanSpeedup(base, b);
      const acc = accuracyOf(b, doctor, evals);
      return [
        b.model.name,
        roleLabel(b),
        b.model.precision ?? roleOf(b).precision,
        runtimeLabel(b),
        threads(b),
        formatMiB(b.model.fileBytes),
        formatInteger(b.model.parameters),
        p !== undefined ? formatFixed(p.p50Ms, 2) : t('notMeasured'),
        p !== undefined ? formatFixed(p.p90Ms, 2) : '–',
        p !== undefined ? formatFixed(p.p99Ms, 2) : '–',
        p !== undefined ? formatFixed(p.samplesPerSecond, 1) : '–',
        p !== undefined ? formatInteger(p.tokensPerSecond) : '–',
        speed !== undefined ? `${formatFixed(speed, 2)}×` : '–',
        geo !== undefined ? `${formatFixed(geo, 2)}×` : '–',
        acc !== undefined
          ? `${formatPercent(acc.accuracy)} (${t(acc.source === 'doctor' ? 'accuracyFromDoctor' : 'accuracyFromEval')})`
          : '–',
      ];
    });
    const columns = [
      t('colModel'),
      t('colRole'),
      t('colPrecision'),
      t('colRuntime'),
      t('colThreads'),
      t('colSize'),
      t('colParams'),
      t('colP50'),
      t('colP90'),
      t('colP99'),
      t('colThroughput'),
      t('colTokens'),
      t('colSpeedup'),
      t('colSpeedupGeo'),
      t('colAccuracy'),
    ];
    const theme = this.theme();
    const colorOf = (i: number): ThemeColors['runs'][number] => runColor(theme, i);
    const label = (b: BenchFileData): string => `${roleLabel(b)} · ${b.model.name}`;
    const latency: BarRow[] = list.map((b, i) => {
      const p = pointAt(b, shapeKey);
      const c = colorOf(i);
      return {
        label: label(b),
        bars:
          p === undefined
            ? []
            : [
                { name: 'p50', value: p.p50Ms, color: c, text: `${formatFixed(p.p50Ms, 2)} ms` },
                {
                  name: 'p90',
                  value: p.p90Ms,
                  color: mix(c, theme.background, 0.3),
                  text: `${formatFixed(p.p90Ms, 2)} ms`,
                },
                {
                  name: 'p99',
                  value: p.p99Ms,
                  color: mix(c, theme.background, 0.55),
                  text: `${formatFixed(p.p99Ms, 2)} ms`,
                },
              ],
      };
    });
    const throughput: BarRow[] = list.map((b, i) => {
      const p = pointAt(b, shapeKey);
      const speed = b === base ? 1 : speedupAt(base, b, shapeKey);
      return {
        label: label(b),
        bars:
          p === undefined
            ? []
            : [
                {
                  name: '',
                  value: p.samplesPerSecond,
                  color: colorOf(i),
                  text: `${formatFixed(p.samplesPerSecond, 1)} (${speed !== undefined ? `${formatFixed(speed, 2)}×` : '–'})`,
                },
              ],
      };
    });
    const size: BarRow[] = list.map((b, i) => ({
      label: label(b),
      bars: [
        {
          name: '',
          value: b.model.fileBytes,
          color: colorOf(i),
          text: `${formatMiB(b.model.fileBytes)} (${formatFixed(base.model.fileBytes / Math.max(1, b.model.fileBytes), 2)}×)`,
        },
      ],
    }));
    const accuracy: BarRow[] = list.flatMap((b, i) => {
      const acc = accuracyOf(b, doctor, evals);
      return acc === undefined
        ? []
        : [
            {
              label: label(b),
              bars: [{ name: '', value: acc.accuracy, color: colorOf(i), text: formatPercent(acc.accuracy) }],
            },
          ];
    });
    const hosts = [
      ...new Set(
        list.map((b) =>
          t(
            'provenance',
            b.host.onnxruntime,
            b.host.cpu,
            b.host.cpus,
            threads(b),
            b.model.executionProvider.toUpperCase(),
            b.settings.warmup,
            b.settings.runs,
            b.createdAt.slice(0, 19).replace('T', ' '),
          ),
        ),
      ),
    ];
    const fallbacks = list
      .filter((b) => b.model.fallback !== undefined)
      .map((b) => t('fallbackNote', `${b.model.name}: ${b.model.fallback ?? ''}`));
    const pointsGrid = createDataGrid(
      t('tabBenchmark'),
      [t('colModel'), t('shape'), t('colP50'), t('colP90'), t('colP99'), t('colThroughput'), t('colTokens')],
      list.flatMap((b) =>
        b.model.points.map((p) => [
          label(b),
          t('shapeLabel', p.batch, p.sequence),
          formatFixed(p.p50Ms, 2),
          formatFixed(p.p90Ms, 2),
          formatFixed(p.p99Ms, 2),
          formatFixed(p.samplesPerSecond, 1),
          formatInteger(p.tokensPerSecond),
        ]),
      ),
      'benchmark-points',
      [3, 2, 1, 1, 1, 1, 1],
    );
    this.content.replaceChildren(
      ...hosts.map((text) => h('p', { class: 'provenance', testid: 'benchmark-provenance' }, text)),
      ...fallbacks.map((text) => h('p', { class: 'note' }, text)),
      h('p', { class: 'help' }, t('speedupHint', label(base))),
      createDataGrid(
        t('tabBenchmark'),
        columns,
        rows,
        'benchmark-table',
        [1.4, 1.3, 0.8, 1.4, 1, 1, 1.1, 0.8, 0.8, 0.8, 1, 1, 0.9, 1, 1.3],
      ),
      h(
        'div',
        { class: 'bar-charts' },
        barChart(t('chartLatency', shapeText), latency, 'bench-latency'),
        barChart(t('chartThroughput', shapeText), throughput, 'bench-throughput'),
        barChart(t('chartSize'), size, 'bench-size'),
        accuracy.length > 0
          ? barChart(t('chartAccuracy'), accuracy, 'bench-accuracy')
          : h('p', { class: 'note' }, t('accuracyHint')),
      ),
      h('details', {}, h('summary', {}, t('allPoints')), pointsGrid),
      ...problems.map((p) => h('p', { class: 'problem' }, p)),
    );
  }
}
