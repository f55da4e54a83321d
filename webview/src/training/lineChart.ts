// One chart of the Training tab on uPlot (canvas): for each run a faint raw line and its smoothed line, stage
// boundaries as dashed verticals, drag to zoom x (double-click or Reset zoom to undo), a hover/keyboard readout
// that looks the values up in the full series. uPlot draws only the M4-decimated copy (decimate.ts), rebuilt for
// the visible range on every zoom, so 100k-point series stay fast; y ranges come from the full visible data.
import uPlot from 'uplot';
import { cssRgb, type Rgb, type ThemeColors } from '../colors';
import { h } from '../dom';
import { formatClock, formatDuration, formatInteger, formatValue, t } from '../i18n';
import type { XAxis } from '../uiState';
import { decimate } from './decimate';
import { visibleValues, yRange } from './scale';

export interface ChartSeries {
  label: string;
  color: Rgb;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** Same length as ys; absent when the series is not smoothed (learning rate, evaluations). */
  smoothed?: ArrayLike<number>;
  /** Dashed (teacher evaluations). */
  dash?: boolean;
  /** Draw points (sparse series such as evaluations). */
  points?: boolean;
  /** Stage boundaries in x units, with their names. */
  marks?: { x: number; label: string }[];
}

export interface ChartOptions {
  xAxis: XAxis;
  logX: boolean;
  logY: boolean;
  ignoreOutliers: boolean;
  showRaw: boolean;
  zoom: [number, number] | undefined;
  onZoom: (range: [number, number] | undefined) => void;
}

const HEIGHT = 220;

/** Index of the x nearest to `x` in ascending `xs`. */
export function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? NaN) < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs((xs[lo - 1] ?? NaN) - x) <= Math.abs((xs[lo] ?? NaN) - x)) return lo - 1;
  return lo;
}

export function formatX(x: number, axis: XAxis): string {
  if (axis === 'step') return formatInteger(x);
  if (axis === 'relative') return formatDuration(x);
  return formatClock(x);
}

export class LineChart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly note: HTMLElement;
  private plot: uPlot | undefined;
  private structure = '';
  private series: ChartSeries[] = [];
  private options: ChartOptions | undefined;
  private theme: ThemeColors | undefined;
  private xRange: [number, number] = [0, 1];
  private yRangeValue: [number, number] = [0, 1];
  /** True while this class sets the scales (so the setScale hook can tell a user's zoom from a redraw). */
  private updating = false;
  private readonly resize: ResizeObserver;
  private keyboardX: number | undefined;
  /** Points drawn in the last render (all series), for the benchmark and tests. */
  drawnPoints = 0;

  constructor(
    readonly key: string,
    title: string,
    private readonly format: (y: number) => string = formatValue,
  ) {
    this.plotHost = h('div', { class: 'plot' });
    this.readout = h('div', { class: 'readout', 'aria-live': 'polite', testid: `readout-${key}` });
    this.note = h('div', { class: 'note' });
    this.element = h(
      'section',
      { class: 'chart', testid: `chart-${key}`, tabindex: '0', 'aria-label': t('chartAria', title) },
      h('h3', {}, title),
      this.plotHost,
      this.readout,
      this.note,
    );
    this.element.addEventListener('keydown', (e) => this.key_(e));
    this.resize = new ResizeObserver(() => {
      if (this.plot !== undefined && this.width() !== this.plot.width) this.render();
    });
    this.resize.observe(this.element);
  }

  private width(): number {
    return Math.max(200, Math.floor(this.plotHost.clientWidth || this.element.clientWidth || 600));
  }

  update(series: ChartSeries[], options: ChartOptions, theme: ThemeColors): void {
    this.series = series;
    this.options = options;
    this.theme = theme;
    this.render();
  }

  /** x extent of all series (positive only for log x). */
  private dataRange(): [number, number] | undefined {
    let min = Infinity;
    let max = -Infinity;
    const logX = this.options?.logX === true;
    for (const s of this.series) {
      const n = Math.min(s.xs.length, s.ys.length);
      if (n === 0) continue;
      let first = s.xs[0] ?? NaN;
      if (logX) for (let i = 0; i < n && !(first > 0); i++) first = s.xs[i] ?? NaN;
      min = Math.min(min, first);
      max = Math.max(max, s.xs[n - 1] ?? NaN);
    }
    if (!(max >= min)) return undefined;
    return max > min ? [min, max] : [min - 1, max + 1];
  }

  render(): void {
    const o = this.options;
    const theme = this.theme;
    if (o === undefined || theme === undefined) return;
    const full = this.dataRange();
    // DOM hooks for tests (here and end-to-end): points stored over all series, points drawn after decimation.
    this.element.dataset['points'] = String(
      this.series.reduce((n, s) => n + Math.min(s.xs.length, s.ys.length), 0),
    );
    if (full === undefined) {
      this.destroyPlot();
      this.plotHost.replaceChildren(h('p', { class: 'empty' }, t('noSteps')));
      this.drawnPoints = 0;
      return;
    }
    const width = this.width();
    this.xRange = o.zoom ?? full;
    const buckets = width;
    const tables: uPlot.AlignedData[] = [];
    const uSeries: uPlot.Series[] = [{}];
    let hiddenByLog = 0;
    let yMin = Infinity;
    let yMax = -Infinity;
    const sampleFor: { xs: ArrayLike<number>; ys: ArrayLike<number> }[] = [];
    for (const s of this.series) {
      const opts = {
        xMin: this.xRange[0],
        xMax: this.xRange[1],
        buckets,
        logX: o.logX,
        logY: o.logY,
        // Steps without a value (no hard-label term on an unlabelled batch) are bridged within a stage.
        breaks: (s.marks ?? []).map((m) => m.x).sort((a, b) => a - b),
      };
      const lines: { ys: ArrayLike<number>; raw: boolean }[] = [];
      if (s.smoothed === undefined) lines.push({ ys: s.ys, raw: false });
      else {
        if (o.showRaw) lines.push({ ys: s.ys, raw: true });
        lines.push({ ys: s.smoothed, raw: false });
      }
      for (const line of lines) {
        const d = decimate(s.xs, line.ys, opts);
        hiddenByLog = Math.max(hiddenByLog, d.hiddenByLog);
        tables.push([d.x, d.y] as unknown as uPlot.AlignedData);
        for (let i = 0; i < d.y.length; i++) {
          const y = d.y[i];
          const x = d.x[i] ?? NaN;
          if (y === null || y === undefined || x < this.xRange[0] || x > this.xRange[1]) continue;
          yMin = Math.min(yMin, y);
          yMax = Math.max(yMax, y);
        }
        sampleFor.push({ xs: s.xs, ys: line.ys });
        uSeries.push({
          label: `${s.label}${line.raw ? ` (${t('raw')})` : ''}`,
          stroke: cssRgb(s.color, line.raw ? 0.28 : 1),
          width: line.raw ? 1 : 1.75,
          spanGaps: false,
          ...(s.dash === true ? { dash: [6, 4] } : {}),
          points: { show: s.points === true, size: 5, stroke: cssRgb(s.color), fill: cssRgb(s.color) },
        });
      }
    }
    this.yRangeValue = this.computeYRange(o, sampleFor, yMin, yMax);
    const data = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
    this.drawnPoints = tables.reduce((n, tb) => n + (tb[0]?.length ?? 0), 0);
    const structure = JSON.stringify([
      uSeries.map((s) => [s.label, s.stroke, s.dash]),
      o.xAxis,
      o.logX,
      o.logY,
      width,
    ]);
    this.updating = true;
    try {
      if (this.plot === undefined || structure !== this.structure) {
        this.destroyPlot();
        this.structure = structure;
        this.plotHost.replaceChildren();
        this.plot = new uPlot(this.plotOptions(uSeries, width, o, theme), data, this.plotHost);
      } else this.plot.setData(data, false);
      this.plot.setScale('x', { min: this.xRange[0], max: this.xRange[1] });
      this.plot.setScale('y', { min: this.yRangeValue[0], max: this.yRangeValue[1] });
    } finally {
      this.updating = false;
    }
    this.element.dataset['drawn'] = String(this.drawnPoints);
    this.note.textContent = hiddenByLog > 0 ? t('hiddenByLog', formatInteger(hiddenByLog)) : '';
  }

  /** y range from the decimated extremes (M4 keeps them), or percentiles of the full visible data. */
  private computeYRange(
    o: ChartOptions,
    series: { xs: ArrayLike<number>; ys: ArrayLike<number> }[],
    min: number,
    max: number,
  ): [number, number] {
    if (o.ignoreOutliers) {
      // Percentiles of every visible point; beyond 20k points a fixed stride sample keeps it O(visible).
      const values = visibleValues(series, this.xRange[0], this.xRange[1], o.logY);
      const stride = Math.max(1, Math.floor(values.length / 20_000));
      const sample = stride === 1 ? values : values.filter((_, i) => i % stride === 0);
      const range = yRange(sample, { ignoreOutliers: true, log: o.logY });
      if (range !== undefined) return range;
    }
    if (!(max >= min)) return o.logY ? [0.1, 10] : [0, 1];
    const values = o.logY ? Float64Array.of(Math.log10(min), Math.log10(max)) : Float64Array.of(min, max);
    return yRange(values, { ignoreOutliers: false, log: o.logY }) ?? [min, max];
  }

  private plotOptions(
    series: uPlot.Series[],
    width: number,
    o: ChartOptions,
    theme: ThemeColors,
  ): uPlot.Options {
    const fg = cssRgb(theme.foreground);
    const grid = cssRgb(theme.grid);
    const axis = (values: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      values,
    });
    return {
      width,
      height: HEIGHT,
      ...(o.xAxis === 'wall' ? { ms: 1 as const } : {}),
      legend: { show: false },
      scales: {
        x: {
          time: o.xAxis === 'wall',
          ...(o.logX && o.xAxis !== 'wall' ? { distr: 3 as const, log: 10 as const } : {}),
          auto: false,
          // Honours what it is asked (a drag zoom, or render's own setScale).
          range: (_u, min, max) => [min, max],
        },
        y: {
          ...(o.logY ? { distr: 3 as const, log: 10 as const } : {}),
          auto: false,
          range: () => [this.yRangeValue[0], this.yRangeValue[1]],
        },
      },
      series,
      axes: [
        axis(o.xAxis === 'wall' ? undefined : (_u, ticks) => ticks.map((x) => formatX(x, o.xAxis))),
        { ...axis((_u, ticks) => ticks.map((y) => this.tickFormat(y))), size: 64 },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: true },
        sync: { key: 'distill-training' },
        points: { show: false },
      },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || this.updating) return;
            const min = u.scales.x?.min;
            const max = u.scales.x?.max;
            if (min === undefined || max === undefined || min === null || max === null) return;
            // Back to (about) the whole range, as a double-click does: follow the data as it grows again.
            const full = this.dataRange();
            const slack = full !== undefined ? (full[1] - full[0]) * 0.005 : 0;
            const whole = full !== undefined && min <= full[0] + slack && max >= full[1] - slack;
            this.options?.onZoom(whole ? undefined : [min, max]);
          },
        ],
        setCursor: [(u) => this.showReadout(u.cursor.left ?? -1, u)],
        draw: [(u) => this.drawMarks(u, theme)],
      },
    };
  }

  /** Axis ticks: compact (3e-4, not 3.000e-4), percentages as the series formats them. */
  private tickFormat(y: number): string {
    if (this.format !== formatValue) return this.format(y);
    const a = Math.abs(y);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? y.toExponential(2).replace(/\.?0+e/, 'e') : formatValue(y);
  }

  private drawMarks(u: uPlot, theme: ThemeColors): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = devicePixelRatio;
    ctx.font = `${11 * devicePixelRatio}px var(--vscode-font-family, sans-serif)`;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    this.series.forEach((s, i) => {
      for (const mark of s.marks ?? []) {
        if (mark.x < this.xRange[0] || mark.x > this.xRange[1]) continue;
        const x = u.valToPos(mark.x, 'x', true);
        ctx.strokeStyle = cssRgb(s.color, 0.7);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        // Names of the primary run's stages only; the others' boundaries are lines in their colour.
        if (i === 0 && x + 4 < left + width) {
          ctx.fillStyle = cssRgb(theme.foreground, 0.8);
          ctx.fillText(t('stageMark', mark.label), x + 4 * devicePixelRatio, top + 2 * devicePixelRatio);
        }
      }
    });
    ctx.restore();
  }

  /** Values at the cursor, looked up in the full series (not the decimated copy). */
  private showReadout(left: number, u: uPlot): void {
    const o = this.options;
    if (o === undefined || left < 0) {
      this.readout.replaceChildren();
      return;
    }
    const x = u.posToVal(left, 'x');
    const parts: Node[] = [];
    let nearestX: number | undefined;
    for (const s of this.series) {
      const i = nearestIndex(s.xs, x);
      if (i < 0) continue;
      const raw = s.ys[i] ?? NaN;
      const sm = s.smoothed?.[i];
      nearestX ??= s.xs[i];
      const swatch = h('span', { class: 'swatch' });
      swatch.style.background = cssRgb(s.color);
      const value =
        sm !== undefined && Number.isFinite(sm)
          ? `${s.label}: ${this.format(sm)} (${t('raw')} ${this.format(raw)})`
          : `${s.label}: ${this.format(raw)}`;
      parts.push(h('span', { class: 'readout-item' }, swatch, value));
    }
    const xText =
      o.xAxis === 'step'
        ? t('readoutStep', formatX(nearestX ?? x, 'step'))
        : t('readoutTime', formatX(nearestX ?? x, o.xAxis));
    this.readout.replaceChildren(h('strong', {}, xText), ...parts);
  }

  /** Arrow keys move a cursor over the visible range (1% per press, 10% with Shift); Home/End jump to the ends. */
  private key_(e: KeyboardEvent): void {
    const u = this.plot;
    if (u === undefined) return;
    const [a, b] = this.xRange;
    const step = (b - a) * (e.shiftKey ? 0.1 : 0.01);
    let x = this.keyboardX ?? b;
    if (e.key === 'ArrowLeft') x -= step;
    else if (e.key === 'ArrowRight') x += step;
    else if (e.key === 'Home') x = a;
    else if (e.key === 'End') x = b;
    else if (e.key === 'Escape') {
      this.keyboardX = undefined;
      this.readout.replaceChildren();
      return;
    } else return;
    e.preventDefault();
    this.keyboardX = Math.min(b, Math.max(a, x));
    const left = u.valToPos(this.keyboardX, 'x');
    u.setCursor({ left, top: u.bbox.height / devicePixelRatio / 2 });
    this.showReadout(left, u);
  }

  /** The y range in use (tests). */
  get yRange(): [number, number] {
    return this.yRangeValue;
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.structure = '';
  }

  destroy(): void {
    this.resize.disconnect();
    this.destroyPlot();
    this.element.remove();
  }
}
