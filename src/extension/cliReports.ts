// Narrows the JSON reports of `distill-studio export --json` and `bench --json` (untrusted child output) to the
// fields the extension shows, and renders a benchmark as a table for the log. Pure: no vscode.

export interface ExportSummary {
  file: string;
  written: boolean;
  bytes: number;
  precision: string;
  /** Largest |difference| from the TensorFlow.js model in the verification. */
  maxAbsDiff: number | undefined;
  /** Share of verification predictions that agree. */
  agreement: number | undefined;
  warnings: string[];
}

export interface BenchPointSummary {
  batch: number;
  sequence: number;
  p50Ms: number;
  p90Ms: number;
  samplesPerSecond: number;
  speedup: number | undefined;
}

export interface BenchModelSummary {
  path: string;
  name: string;
  fileBytes: number;
  speedup: number | undefined;
  /** The provider that ran it (after any fallback) and why the requested one did not. */
  executionProvider: string | undefined;
  fallback: string | undefined;
  peakRssBytes: number | undefined;
  points: BenchPointSummary[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export function readExportReport(value: unknown): ExportSummary | undefined {
  if (!isRecord(value)) return undefined;
  const { file, written, bytes, precision, verification, warnings } = value;
  if (typeof file !== 'string' || typeof written !== 'boolean' || num(bytes) === undefined) return undefined;
  const v = isRecord(verification) ? verification : {};
  const agreement = isRecord(v['agreement']) ? num(v['agreement']['rate']) : undefined;
  return {
    file,
    written,
    bytes: bytes as number,
    precision: typeof precision === 'string' ? precision : 'fp32',
    maxAbsDiff: num(v['maxAbsDiff']),
    agreement,
    warnings: Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === 'string') : [],
  };
}

function readPoint(value: unknown): BenchPointSummary | undefined {
  if (!isRecord(value)) return undefined;
  const batch = num(value['batch']);
  const sequence = num(value['sequence']);
  const p50Ms = num(value['p50Ms']);
  const p90Ms = num(value['p90Ms']);
  const samplesPerSecond = num(value['samplesPerSecond']);
  if ([batch, sequence, p50Ms, p90Ms, samplesPerSecond].some((x) => x === undefined)) return undefined;
  return {
    batch: batch as number,
    sequence: sequence as number,
    p50Ms: p50Ms as number,
    p90Ms: p90Ms as number,
    samplesPerSecond: samplesPerSecond as number,
    speedup: num(value['speedup']),
  };
}

export function readBenchReport(value: unknown): BenchModelSummary[] | undefined {
  if (!isRecord(value) || !Array.isArray(value['models'])) return undefined;
  const models: BenchModelSummary[] = [];
  for (const m of value['models']) {
    if (!isRecord(m) || typeof m['path'] !== 'string' || !Array.isArray(m['points'])) return undefined;
    const points = m['points'].map(readPoint);
    if (points.some((p) => p === undefined)) return undefined;
    models.push({
      path: m['path'],
      name: typeof m['name'] === 'string' ? m['name'] : m['path'],
      fileBytes: num(m['fileBytes']) ?? 0,
      speedup: num(m['speedup']),
      executionProvider: typeof m['executionProvider'] === 'string' ? m['executionProvider'] : undefined,
      fallback: typeof m['fallback'] === 'string' ? m['fallback'] : undefined,
      peakRssBytes: num(m['peakRssBytes']),
      points: points as BenchPointSummary[],
    });
  }
  return models;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
}

/** A plain-text table per model, for the log channel. */
export function formatBenchTable(models: readonly BenchModelSummary[]): string[] {
  const lines: string[] = [];
  for (const m of models) {
    const speed = m.speedup !== undefined && m !== models[0] ? `, ${m.speedup.toFixed(2)}x` : '';
    const provider = m.executionProvider !== undefined ? `, ${m.executionProvider.toUpperCase()}` : '';
    const memory = m.peakRssBytes !== undefined ? `, peak RSS ${formatMiB(m.peakRssBytes)}` : '';
    lines.push(`${m.path} (${formatMiB(m.fileBytes)}${provider}${memory}${speed})`);
    if (m.fallback !== undefined) lines.push(`  note: ${m.fallback}`);
    lines.push('  batch   seq    p50 ms    p90 ms   samples/s  speed-up');
    for (const p of m.points)
      lines.push(
        `  ${String(p.batch).padStart(5)} ${String(p.sequence).padStart(5)} ${p.p50Ms.toFixed(2).padStart(9)} ${p.p90Ms.toFixed(2).padStart(9)} ${p.samplesPerSecond.toFixed(1).padStart(11)} ${p.speedup !== undefined ? `${p.speedup.toFixed(2)}x` : '-'}`,
      );
  }
  return lines;
}
