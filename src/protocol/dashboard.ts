// What the dashboard shows besides a run's history: the run list, attention maps (fetched per snapshot), benchmark
// results (the `<name>.bench.json` files `bench` saves beside each model) and the doctor's report (`doctor.json`
// in the run folder), with the checks both the host (reading files) and the webview (reading messages) apply.

export type DashboardTab = 'training' | 'attention' | 'benchmark' | 'doctor';
export const DASHBOARD_TABS: readonly DashboardTab[] = ['training', 'attention', 'benchmark', 'doctor'];

/** A run the dashboard can show. `id` is its folder (absolute path). */
export interface RunListEntry {
  id: string;
  name: string;
  /** running | stopped | interrupted | failed | done */
  status: 'running' | 'stopped' | 'interrupted' | 'failed' | 'done';
  /** The status in the UI language, with the step (`done`, `running, step 120 of 400`). */
  description: string;
}

/** Which runs are shown: the primary run (all tabs) and runs overlaid on its training curves. */
export interface RunSelection {
  primary: string | undefined;
  compare: string[];
}

/** The maps of one probe at one mapped layer pair, [heads][T][T] row-major. */
export interface AttentionMapData {
  probe: number;
  teacherLayer: number;
  studentLayer: number;
  tokens: string[];
  teacherHeads: number;
  studentHeads: number;
  teacher: Float32Array;
  student: Float32Array;
}

/** One latency point of a benchmark (milliseconds, per batch). */
export interface BenchPointData {
  batch: number;
  sequence: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  samplesPerSecond: number;
  tokensPerSecond: number;
}

/** One model's `<name>.bench.json` (distill-studio.bench/2, one entry in `models`). */
export interface BenchFileData {
  /** The .bench.json file. */
  file: string;
  createdAt: string;
  host: { cpu: string; cpus: number; onnxruntime: string };
  settings: { threads: number | undefined; ep: string; warmup: number; runs: number };
  model: {
    path: string;
    name: string;
    runtime: 'onnxruntime' | 'tfjs';
    backend: string | undefined;
    fileBytes: number;
    parameters: number;
    precision: string | undefined;
    executionProvider: string;
    fallback: string | undefined;
    peakRssBytes: number;
    points: BenchPointData[];
  };
}

export interface DoctorData {
  /** The doctor.json file. */
  file: string;
  createdAt: string | undefined;
  data: string;
  n: number;
  stages: {
    stage: string;
    path: string;
    backend: string;
    accuracy: number;
    macroF1: number;
    maxLength: number;
  }[];
  agreement: { from: string; to: string; rate: number }[];
  attribution: { total: number; distillation?: number; conversion?: number; quantization?: number };
  findings: { code: string; severity: 'error' | 'warning'; stage: string; message: string }[];
}

/** A run folder's reports, found by the host. */
export interface RunReports {
  benchmarks: BenchFileData[];
  doctor: DoctorData | undefined;
  /** .onnx files in the run folder (to offer a benchmark). */
  onnxFiles: string[];
  /** Reports that exist but could not be read, with the reason (shown, not hidden). */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

export function parseRunListEntry(v: unknown): RunListEntry | undefined {
  if (
    !isRecord(v) ||
    str(v['id']) === undefined ||
    str(v['name']) === undefined ||
    str(v['description']) === undefined
  )
    return undefined;
  const statuses = ['running', 'stopped', 'interrupted', 'failed', 'done'];
  return statuses.includes(v['status'] as string) ? (v as unknown as RunListEntry) : undefined;
}

export function parseRunSelection(v: unknown): RunSelection | undefined {
  if (!isRecord(v) || !isStringArray(v['compare'])) return undefined;
  const primary = v['primary'];
  if (primary !== undefined && typeof primary !== 'string') return undefined;
  return { primary, compare: [...v['compare']] };
}

export function parseAttentionMapData(v: unknown): AttentionMapData | undefined {
  if (!isRecord(v) || !isStringArray(v['tokens'])) return undefined;
  const [probe, teacherLayer, studentLayer, teacherHeads, studentHeads] = [
    'probe',
    'teacherLayer',
    'studentLayer',
    'teacherHeads',
    'studentHeads',
  ].map((k) => num(v[k]));
  const { teacher, student, tokens } = v;
  if ([probe, teacherLayer, studentLayer, teacherHeads, studentHeads].some((x) => x === undefined))
    return undefined;
  if (!(teacher instanceof Float32Array) || !(student instanceof Float32Array)) return undefined;
  const cells = tokens.length * tokens.length;
  if (teacher.length !== (teacherHeads ?? 0) * cells || student.length !== (studentHeads ?? 0) * cells)
    return undefined;
  return v as unknown as AttentionMapData;
}

function parsePoint(v: unknown): BenchPointData | undefined {
  if (!isRecord(v)) return undefined;
  const keys = [
    'batch',
    'sequence',
    'p50Ms',
    'p90Ms',
    'p99Ms',
    'meanMs',
    'samplesPerSecond',
    'tokensPerSecond',
  ];
  const values = keys.map((k) => num(v[k]));
  if (values.some((x) => x === undefined)) return undefined;
  const [batch, sequence, p50Ms, p90Ms, p99Ms, meanMs, samplesPerSecond, tokensPerSecond] =
    values as number[];
  return {
    batch: batch ?? 0,
    sequence: sequence ?? 0,
    p50Ms: p50Ms ?? 0,
    p90Ms: p90Ms ?? 0,
    p99Ms: p99Ms ?? 0,
    meanMs: meanMs ?? 0,
    samplesPerSecond: samplesPerSecond ?? 0,
    tokensPerSecond: tokensPerSecond ?? 0,
  };
}

/**
 * A benchmark from a `.bench.json` file (`file` says where it came from) or from a message: the fields the
 * dashboard shows, or a reason it cannot be shown.
 */
export function parseBenchFile(v: unknown, file: string): BenchFileData | string {
  if (!isRecord(v)) return 'not a JSON object';
  const schema = str(v['schema']);
  if (schema !== undefined && !schema.startsWith('distill-studio.bench/'))
    return `unknown schema "${schema}"`;
  const model = Array.isArray(v['models']) ? (v['models'] as unknown[])[0] : v['model'];
  if (!isRecord(model)) return 'no model entry';
  const host = isRecord(v['host']) ? v['host'] : {};
  const settings = isRecord(v['settings']) ? v['settings'] : {};
  const path = str(model['path']);
  if (path === undefined || !Array.isArray(model['points'])) return 'the model entry has no path or points';
  const points: BenchPointData[] = [];
  for (const p of model['points'] as unknown[]) {
    const point = parsePoint(p);
    if (point === undefined) return 'a latency point lacks numbers';
    points.push(point);
  }
  const runtime = model['runtime'] === 'tfjs' ? 'tfjs' : 'onnxruntime';
  return {
    file,
    createdAt: str(v['createdAt']) ?? '',
    host: {
      cpu: str(host['cpu']) ?? '',
      cpus: num(host['cpus']) ?? 0,
      onnxruntime: str(host['onnxruntime']) ?? '',
    },
    settings: {
      threads: num(settings['threads']),
      ep: str(settings['ep']) ?? 'cpu',
      warmup: num(settings['warmup']) ?? 0,
      runs: num(settings['runs']) ?? 0,
    },
    model: {
      path,
      name: str(model['name']) ?? path,
      runtime,
      backend: str(model['backend']),
      fileBytes: num(model['fileBytes']) ?? 0,
      parameters: num(model['parameters']) ?? 0,
      precision: str(model['precision']),
      executionProvider: str(model['executionProvider']) ?? 'cpu',
      fallback: str(model['fallback']),
      peakRssBytes: num(model['peakRssBytes']) ?? 0,
      points,
    },
  };
}

/** The doctor's report (`doctor --json`, or doctor.json) or a reason it cannot be shown. */
export function parseDoctorFile(v: unknown, file: string): DoctorData | string {
  if (!isRecord(v) || !Array.isArray(v['stages']) || !Array.isArray(v['findings']))
    return 'not a doctor report';
  const stages: DoctorData['stages'] = [];
  for (const s of v['stages'] as unknown[]) {
    if (!isRecord(s) || str(s['stage']) === undefined || num(s['accuracy']) === undefined)
      return 'a stage lacks its name or accuracy';
    stages.push({
      stage: str(s['stage']) ?? '',
      path: str(s['path']) ?? '',
      backend: str(s['backend']) ?? '',
      accuracy: num(s['accuracy']) ?? 0,
      macroF1: num(s['macroF1']) ?? NaN,
      maxLength: num(s['maxLength']) ?? 0,
    });
  }
  const agreement: DoctorData['agreement'] = [];
  for (const a of Array.isArray(v['agreement']) ? (v['agreement'] as unknown[]) : []) {
    if (
      !isRecord(a) ||
      str(a['from']) === undefined ||
      str(a['to']) === undefined ||
      num(a['rate']) === undefined
    )
      return 'an agreement entry is incomplete';
    agreement.push({ from: str(a['from']) ?? '', to: str(a['to']) ?? '', rate: num(a['rate']) ?? 0 });
  }
  const findings: DoctorData['findings'] = [];
  for (const f of v['findings'] as unknown[]) {
    if (!isRecord(f) || str(f['code']) === undefined || str(f['message']) === undefined)
      return 'a finding lacks its code or message';
    findings.push({
      code: str(f['code']) ?? '',
      severity: f['severity'] === 'error' ? 'error' : 'warning',
      stage: str(f['stage']) ?? '',
      message: str(f['message']) ?? '',
    });
  }
  const at = isRecord(v['attribution']) ? v['attribution'] : {};
  const attribution: DoctorData['attribution'] = { total: num(at['total']) ?? 0 };
  for (const k of ['distillation', 'conversion', 'quantization'] as const) {
    const x = num(at[k]);
    if (x !== undefined) attribution[k] = x;
  }
  return {
    file,
    createdAt: str(v['createdAt']),
    data: str(v['data']) ?? '',
    n: num(v['n']) ?? 0,
    stages,
    agreement,
    attribution,
    findings,
  };
}

export function parseRunReports(v: unknown): RunReports | undefined {
  if (
    !isRecord(v) ||
    !Array.isArray(v['benchmarks']) ||
    !isStringArray(v['onnxFiles']) ||
    !isStringArray(v['problems'])
  )
    return undefined;
  const benchmarks: BenchFileData[] = [];
  for (const b of v['benchmarks'] as unknown[]) {
    const parsed = isRecord(b) ? parseBenchFile(b, str(b['file']) ?? '') : 'not an object';
    if (typeof parsed === 'string') return undefined;
    benchmarks.push(parsed);
  }
  let doctor: DoctorData | undefined;
  if (v['doctor'] !== undefined) {
    const d = v['doctor'];
    const parsed = isRecord(d) ? parseDoctorFile(d, str(d['file']) ?? '') : 'not an object';
    if (typeof parsed === 'string') return undefined;
    doctor = parsed;
  }
  return { benchmarks, doctor, onnxFiles: [...v['onnxFiles']], problems: [...v['problems']] };
}
