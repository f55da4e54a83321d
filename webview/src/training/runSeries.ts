// Series derived from one run's history for the charts, kept up to date incrementally as appends arrive: x values
// in each axis unit (step, relative seconds, wall-clock ms) and smoothed columns. A rewind (a resumed run redoing
// steps) or a new snapshot starts the cache over.
import { lowerBound, type RunHistory } from '../../../src/protocol/runHistory';
import type { XAxis } from '../uiState';
import { emptyEmaState, smoothInto, type EmaState } from './smoothing';

class Growing {
  buffer = new Float64Array(0);
  ensure(n: number): Float64Array {
    if (this.buffer.length < n) {
      const grown = new Float64Array(Math.max(n, this.buffer.length * 2, 1024));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    return this.buffer;
  }
}

export class RunSeries {
  private rewinds: number;
  private relativeDone = 0;
  private readonly relative = new Growing();
  private readonly smoothedCache = new Map<string, { tau: number; state: EmaState; out: Growing }>();

  constructor(readonly history: RunHistory) {
    this.rewinds = history.rewinds;
  }

  private checkRewinds(): void {
    if (this.history.rewinds === this.rewinds) return;
    this.rewinds = this.history.rewinds;
    this.relativeDone = 0;
    this.smoothedCache.clear();
  }

  /** x of every step row in `axis` units: global step, seconds of training, or epoch milliseconds. */
  x(axis: XAxis): Float64Array {
    this.checkRewinds();
    const h = this.history;
    if (axis === 'step') return h.globalStep.view();
    if (axis === 'wall') return h.time.view();
    const rows = h.rows;
    const buffer = this.relative.ensure(rows);
    if (this.relativeDone < rows) {
      h.relativeTimes(this.relativeDone, buffer);
      for (let i = this.relativeDone; i < rows; i++) buffer[i] = (buffer[i] ?? 0) / 1000;
      this.relativeDone = rows;
    }
    return buffer.subarray(0, rows);
  }

  /** A column smoothed in steps (smoothing.ts) with time constant `tau` steps. */
  smoothed(column: string, tau: number): Float64Array | undefined {
    this.checkRewinds();
    const values = this.history.columns.get(column);
    if (values === undefined) return undefined;
    let entry = this.smoothedCache.get(column);
    if (entry === undefined || entry.tau !== tau) {
      entry = { tau, state: emptyEmaState(), out: new Growing() };
      this.smoothedCache.set(column, entry);
    }
    const rows = this.history.rows;
    const out = entry.out.ensure(rows);
    entry.state = smoothInto(this.history.globalStep.view(), values.view(), tau, out, entry.state);
    return out.subarray(0, rows);
  }

  /** x of a moment (an evaluation) in `axis` units. */
  xAt(time: number, globalStep: number, axis: XAxis): number {
    if (axis === 'step') return globalStep;
    if (axis === 'wall') return time;
    const attempts = this.history.attempts;
    let active = 0;
    let offset = time;
    for (const a of attempts) {
      if (a.startedAt > time) break;
      offset = a.startedAt - active;
      active += Math.max(0, a.lastEventAt - a.startedAt);
    }
    return (time - offset) / 1000;
  }

  /** x of a stage boundary (between step `afterStep` and the next) in `axis` units. */
  boundaryX(afterStep: number, axis: XAxis): number {
    if (axis === 'step') return afterStep + 0.5;
    const xs = this.x(axis);
    const row = Math.min(xs.length - 1, lowerBound(this.history.globalStep.view(), afterStep + 1));
    return row >= 0 ? (xs[row] ?? NaN) : NaN;
  }
}
