// The Training tab: a chart per loss term, learning rate, samples/s and eval metric, for the primary run and every
// compared run in its own colour, with TensorBoard's controls: smoothing (debiased, in steps: smoothing.ts), raw
// values faint behind, log x/y, x as step / relative time / wall time, outliers ignored in the y scale (never
// hidden), drag-to-zoom per chart, stage boundaries and a readout on hover or with the arrow keys.
import { runColor, type ThemeColors } from '../colors';
import { h, slider } from '../dom';
import { formatFixed, formatValue, t } from '../i18n';
import type { Store } from '../store';
import { createButton, createCheckbox, createDropdown } from '../toolkit';
import type { UiState, XAxis } from '../uiState';
import { chartDefs } from './chartDefs';
import { LineChart, type ChartSeries } from './lineChart';
import { RunSeries } from './runSeries';
import { halfLifeSteps, tauForWeight } from './smoothing';

export class TrainingTab {
  readonly element: HTMLElement;
  private readonly charts = new Map<string, LineChart>();
  private readonly grid: HTMLElement;
  private readonly series = new WeakMap<object, RunSeries>();
  private readonly smoothing: ReturnType<typeof slider>;
  private readonly xAxis: ReturnType<typeof createDropdown<XAxis>>;
  private readonly logX: HTMLElement & { checked: boolean };
  private readonly logY: HTMLElement & { checked: boolean };
  private readonly outliers: HTMLElement & { checked: boolean };
  private readonly raw: HTMLElement & { checked: boolean };
  private readonly empty: HTMLElement;

  constructor(
    private readonly store: Store,
    private readonly state: () => UiState,
    private readonly save: (change: (s: UiState) => void) => void,
    private readonly theme: () => ThemeColors,
  ) {
    const s = state().training;
    this.smoothing = slider(
      'smoothing',
      t('smoothing'),
      0,
      0.999,
      0.001,
      s.smoothing,
      (v) => this.set((st) => (st.training.smoothing = v)),
      'smoothing',
    );
    this.xAxis = createDropdown<XAxis>(
      'x-axis',
      t('xAxis'),
      (v) =>
        this.set((st) => {
          st.training.xAxis = v;
          st.training.zoom = {};
        }),
      'x-axis',
    );
    this.logX = createCheckbox(
      t('logX'),
      s.logX,
      (v) =>
        this.set((st) => {
          st.training.logX = v;
          st.training.zoom = {};
        }),
      'log-x',
    );
    this.logY = createCheckbox(t('logY'), s.logY, (v) => this.set((st) => (st.training.logY = v)), 'log-y');
    this.outliers = createCheckbox(
      t('ignoreOutliers'),
      s.ignoreOutliers,
      (v) => this.set((st) => (st.training.ignoreOutliers = v)),
      'ignore-outliers',
    );
    this.raw = createCheckbox(
      t('showRaw'),
      s.showRaw,
      (v) => this.set((st) => (st.training.showRaw = v)),
      'show-raw',
    );
    const reset = createButton(t('resetZoom'), () => this.set((st) => (st.training.zoom = {})), {
      secondary: true,
      testId: 'reset-zoom',
    });
    const controls = h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': t('tabTraining') },
      this.smoothing.element,
      this.xAxis.element,
      this.logX,
      this.logY,
      this.outliers,
      this.raw,
      reset,
    );
    this.grid = h('div', { class: 'charts', testid: 'training-charts' });
    this.empty = h('p', { class: 'empty', testid: 'training-empty' }, t('noSteps'));
    this.element = h(
      'div',
      { class: 'tab training' },
      controls,
      h('p', { class: 'help' }, t('chartHelp')),
      this.empty,
      this.grid,
    );
  }

  private set(change: (s: UiState) => void): void {
    this.save(change);
    this.render();
  }

  private runSeries(history: object & RunSeries['history']): RunSeries {
    let series = this.series.get(history);
    if (series === undefined) {
      series = new RunSeries(history);
      this.series.set(history, series);
    }
    return series;
  }

  /** Rebuilds every chart from the store (cheap when only appends arrived: caches extend incrementally). */
  render(): void {
    const st = this.state().training;
    const theme = this.theme();
    const weight = st.smoothing;
    this.smoothing.input.value = String(weight);
    this.smoothing.output.textContent =
      weight > 0
        ? `${formatFixed(weight, 3)} · ${t('smoothingHalfLife', formatValue(halfLifeSteps(weight)))}`
        : t('smoothingOff');
    this.smoothing.input.setAttribute('aria-valuetext', this.smoothing.output.textContent);
    this.xAxis.setOptions(
      [
        { value: 'step', label: t('xStep') },
        { value: 'relative', label: t('xRelative') },
        { value: 'wall', label: t('xWall') },
      ],
      st.xAxis,
    );
    this.logX.checked = st.logX && st.xAxis !== 'wall';
    this.logX.toggleAttribute('disabled', st.xAxis === 'wall');
    this.logY.checked = st.logY;
    this.outliers.checked = st.ignoreOutliers;
    this.raw.checked = st.showRaw;

    const runs = this.store.shown;
    const columns = new Set<string>();
    let hasEvals = false;
    let hasMaskedLmEvals = false;
    for (const run of runs) {
      if (run.history.maskedLmEvals.length > 0) hasMaskedLmEvals = true;
      for (const [key, column] of run.history.columns)
        if (key !== 'epoch' && column.length > 0) columns.add(key);
      if (run.history.evals.length > 0) hasEvals = true;
    }
    const defs = chartDefs(columns, hasEvals, hasMaskedLmEvals);
    this.empty.hidden = defs.length > 0;
    const keep = new Set(defs.map((d) => d.key));
    for (const [key, chart] of this.charts)
      if (!keep.has(key)) {
        chart.destroy();
        this.charts.delete(key);
      }
    const tau = tauForWeight(weight);
    const axis: XAxis = st.xAxis;
    const logX = st.logX && axis !== 'wall';
    defs.forEach((def, position) => {
      let chart = this.charts.get(def.key);
      if (chart === undefined) {
        chart = new LineChart(def.key, def.title, def.format);
        this.charts.set(def.key, chart);
      }
      if (this.grid.children[position] !== chart.element)
        this.grid.insertBefore(chart.element, this.grid.children[position] ?? null);
      const series: ChartSeries[] = [];
      runs.forEach((run, i) => {
        const rs = this.runSeries(run.history);
        const color = runColor(theme, i);
        const name = this.store.name(run.id);
        const marks = run.history.marks.map((m) => ({ x: rs.boundaryX(m.afterStep, axis), label: m.name }));
        if ('column' in def.source) {
          const column = run.history.columns.get(def.source.column);
          if (column === undefined) return;
          const smoothed = def.source.smooth && tau > 0 ? rs.smoothed(def.source.column, tau) : undefined;
          series.push({
            label: name,
            color,
            xs: rs.x(axis),
            ys: column.view(),
            ...(smoothed !== undefined ? { smoothed } : {}),
            marks,
          });
        } else if ('maskedLm' in def.source) {
          const evals = run.history.maskedLmEvals;
          if (evals.length === 0) return;
          const xs = Float64Array.from(evals, (e) => rs.xAt(e.time, e.globalStep, axis));
          const lines =
            def.source.maskedLm === 'agreement'
              ? [{ label: name, ys: Float64Array.from(evals, (e) => e.metrics.agreement), teacher: false }]
              : [
                  {
                    label: `${name} · ${t('student')}`,
                    ys: Float64Array.from(evals, (e) => e.metrics.studentAccuracy),
                    teacher: false,
                  },
                  {
                    label: `${name} · ${t('teacher')}`,
                    ys: Float64Array.from(evals, (e) => e.metrics.teacherAccuracy),
                    teacher: true,
                  },
                ];
          for (const line of lines)
            series.push({
              label: line.label,
              color,
              xs,
              ys: line.ys,
              dash: line.teacher,
              points: true,
              marks,
            });
        } else {
          const metric = def.source.metric;
          for (const model of ['student', 'teacher'] as const) {
            const evals = run.history.evals.filter((e) => e.model === model);
            if (evals.length === 0) continue;
            series.push({
              label: `${name} · ${t(model)}`,
              color,
              xs: Float64Array.from(evals, (e) => rs.xAt(e.time, e.globalStep, axis)),
              ys: Float64Array.from(evals, (e) => e.metrics[metric]),
              dash: model === 'teacher',
              points: true,
              marks,
            });
          }
        }
      });
      chart.update(
        series,
        {
          xAxis: axis,
          logX,
          logY: st.logY && 'column' in def.source,
          ignoreOutliers: st.ignoreOutliers,
          showRaw: st.showRaw,
          zoom: st.zoom[def.key],
          onZoom: (range) =>
            this.set((s) => {
              const others = Object.entries(s.training.zoom).filter(([key]) => key !== def.key);
              s.training.zoom = Object.fromEntries(
                range === undefined ? others : [...others, [def.key, range]],
              );
            }),
        },
        theme,
      );
    });
  }

  /** Points drawn per chart key (tests, benchmark). */
  drawnPoints(): Record<string, number> {
    return Object.fromEntries([...this.charts].map(([k, c]) => [k, c.drawnPoints]));
  }
}
