// What the webview remembers across reloads (vscode.setState): UI choices only, never run data (the host owns that
// and sends it again). Also carries the run selection, so a panel restored after a reload asks for the same runs.
import {
  DASHBOARD_TABS,
  parseRunSelection,
  type DashboardTab,
  type RunSelection,
} from '../../src/protocol/dashboard';

export type XAxis = 'step' | 'relative' | 'wall';

export interface UiState {
  version: 1;
  selection: RunSelection;
  tab: DashboardTab;
  training: {
    /** TensorBoard-style smoothing weight in [0, 0.999] (see training/smoothing.ts). */
    smoothing: number;
    xAxis: XAxis;
    logX: boolean;
    logY: boolean;
    ignoreOutliers: boolean;
    showRaw: boolean;
    /** Zoomed x range per chart key, in the units of `xAxis`. */
    zoom: Record<string, [number, number]>;
  };
  attention: {
    /** Global step of the selected snapshot (kept across runs growing), or undefined for the latest. */
    step: number | undefined;
    probe: number;
    /** 'all' or `${teacherLayer}:${studentLayer}`. */
    pair: string;
    head: number | 'mean';
    /** 0 = largest difference of each map; else a fixed +-scale. */
    diffScale: number;
    distance: 'auto' | 'mse' | 'kl';
    windowStart: number;
    /** Tokens shown per axis; 0 = all. */
    windowSize: number;
  };
  benchmark: { baseline: string | undefined; shape: string | undefined };
}

export function defaultUiState(): UiState {
  return {
    version: 1,
    selection: { primary: undefined, compare: [] },
    tab: 'training',
    training: {
      smoothing: 0.6,
      xAxis: 'step',
      logX: false,
      logY: false,
      ignoreOutliers: false,
      showRaw: true,
      zoom: {},
    },
    attention: {
      step: undefined,
      probe: 0,
      pair: 'all',
      head: 'mean',
      diffScale: 0,
      distance: 'auto',
      windowStart: 0,
      windowSize: 48,
    },
    benchmark: { baseline: undefined, shape: undefined },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : fallback;
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

/** Restores a saved state, field by field: anything missing or malformed falls back to its default. */
export function parseUiState(value: unknown): UiState {
  const d = defaultUiState();
  if (!isRecord(value) || value['version'] !== 1) return d;
  const tr = isRecord(value['training']) ? value['training'] : {};
  const at = isRecord(value['attention']) ? value['attention'] : {};
  const be = isRecord(value['benchmark']) ? value['benchmark'] : {};
  const zoom: Record<string, [number, number]> = {};
  if (isRecord(tr['zoom']))
    for (const [k, v] of Object.entries(tr['zoom']))
      if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)))
        zoom[k] = [v[0] as number, v[1] as number];
  const xAxis = tr['xAxis'] === 'relative' || tr['xAxis'] === 'wall' ? tr['xAxis'] : 'step';
  const distance = at['distance'] === 'mse' || at['distance'] === 'kl' ? at['distance'] : 'auto';
  return {
    version: 1,
    selection: parseRunSelection(value['selection']) ?? d.selection,
    tab: DASHBOARD_TABS.includes(value['tab'] as DashboardTab) ? (value['tab'] as DashboardTab) : d.tab,
    training: {
      smoothing: Math.min(0.999, Math.max(0, num(tr['smoothing'], d.training.smoothing))),
      xAxis,
      logX: bool(tr['logX'], false),
      logY: bool(tr['logY'], false),
      ignoreOutliers: bool(tr['ignoreOutliers'], false),
      showRaw: bool(tr['showRaw'], true),
      zoom,
    },
    attention: {
      step: typeof at['step'] === 'number' ? at['step'] : undefined,
      probe: num(at['probe'], 0),
      pair: typeof at['pair'] === 'string' ? at['pair'] : 'all',
      head: at['head'] === 'mean' ? 'mean' : num(at['head'], NaN) >= 0 ? num(at['head'], 0) : 'mean',
      diffScale: Math.max(0, num(at['diffScale'], 0)),
      distance,
      windowStart: Math.max(0, num(at['windowStart'], 0)),
      windowSize: Math.max(0, num(at['windowSize'], d.attention.windowSize)),
    },
    benchmark: {
      baseline: typeof be['baseline'] === 'string' ? be['baseline'] : undefined,
      shape: typeof be['shape'] === 'string' ? be['shape'] : undefined,
    },
  };
}
