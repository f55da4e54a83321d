// Diagnose Accuracy Drop, the parts without vscode: what to compare for a run folder (models, ONNX and int8 exports,
// the data columns and files of the run's own config), the doctor's arguments, and the JSON report of
// `distill-studio doctor --json` (untrusted child output) narrowed and formatted for the output channel.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'jsonc-parser';
import { resolveFrom } from '../config/paths';

/** The data columns the doctor reads: a run's own (from its config), else the CLI defaults. */
export interface DoctorColumns {
  textColumn: string;
  textPairColumn: string | undefined;
  labelColumn: string;
}

export const DEFAULT_COLUMNS: DoctorColumns = {
  textColumn: 'text',
  textPairColumn: undefined,
  labelColumn: 'label',
};

export interface DoctorSources {
  teacher: string | undefined;
  student: string | undefined;
  onnx: string | undefined;
  /** An int8 export found beside the float32 one (or where it would be). */
  onnxInt8: string | undefined;
  columns: DoctorColumns;
  /** Labelled files the run's config names (eval, then test), that exist. */
  data: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The run's resolved config: the copy in the run folder, with relative paths anchored where run.json says. */
function runConfig(runDir: string): { config: Record<string, unknown>; baseDir: string } | undefined {
  try {
    const config: unknown = parse(readFileSync(join(runDir, 'config.distill.json'), 'utf8'), [], {
      allowTrailingComma: true,
    });
    if (!isRecord(config)) return undefined;
    let baseDir = runDir;
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
      if (isRecord(manifest) && typeof manifest.baseDir === 'string') baseDir = manifest.baseDir;
    } catch {
      // A run folder without run.json: paths relative to the run folder are the best guess.
    }
    return { config, baseDir };
  } catch {
    return undefined;
  }
}

/**
 * Where an int8 export of `onnx` lives, by the two layouts this project writes: `<dir>/<name>-int8.onnx` beside
 * `<dir>/<name>.onnx` (Export to ONNX), and `<parent>/<folder>-int8/<file>` beside `<parent>/<folder>/<file>` (demo).
 */
export function int8Candidates(onnx: string): string[] {
  const name = basename(onnx, '.onnx');
  const folder = dirname(onnx);
  return [
    join(folder, `${name}-int8.onnx`),
    join(dirname(folder), `${basename(folder)}-int8`, basename(onnx)),
  ];
}

/**
 * What to compare for a run: teacher = <run>/teacher (else the config's teacher checkpoint), student = <run>/final
 * (else best), the ONNX export as Export to ONNX (<run>/onnx/<run>.onnx) or the demo (<run>/onnx/student/model.onnx)
 * writes it, its int8 twin, and the data columns and eval/test files of the run's config.
 */
export function doctorSourcesFromRun(runDir: string): DoctorSources {
  const present = (path: string | undefined): string | undefined =>
    path !== undefined && existsSync(path) ? path : undefined;
  const resolved = runConfig(runDir);
  const config = resolved?.config ?? {};
  const from = (path: unknown): string | undefined =>
    text(path) !== undefined && resolved !== undefined
      ? resolveFrom(resolved.baseDir, text(path) ?? '')
      : undefined;
  const teacher = isRecord(config.teacher) ? config.teacher : {};
  const data = isRecord(config.data) ? config.data : {};
  const fp32 = [
    join(runDir, 'onnx', `${basename(runDir)}.onnx`),
    join(runDir, 'onnx', 'student', 'model.onnx'),
  ];
  const onnx = fp32.map(present).find((p) => p !== undefined);
  const int8 = (onnx !== undefined ? int8Candidates(onnx) : fp32.flatMap(int8Candidates))
    .map(present)
    .find((p) => p !== undefined);
  return {
    teacher: present(join(runDir, 'teacher')) ?? present(from(teacher.checkpoint)),
    student: present(join(runDir, 'final')) ?? present(join(runDir, 'best')),
    onnx,
    onnxInt8: int8,
    columns: {
      textColumn: text(data.textColumn) ?? DEFAULT_COLUMNS.textColumn,
      textPairColumn: text(data.textPairColumn),
      labelColumn: text(data.labelColumn) ?? DEFAULT_COLUMNS.labelColumn,
    },
    data: [from(data.eval), from(data.test)]
      .map(present)
      .filter((p): p is string => p !== undefined)
      .filter((p, i, all) => all.indexOf(p) === i),
  };
}

/** The doctor's command line for these sources and data. */
export function doctorArguments(sources: DoctorSources, data: string): string[] {
  const args = ['doctor', '--teacher', sources.teacher ?? '', '--student', sources.student ?? ''];
  if (sources.onnx !== undefined) args.push('--onnx', sources.onnx);
  if (sources.onnxInt8 !== undefined) args.push('--onnx-int8', sources.onnxInt8);
  args.push('--data', data, '--text-column', sources.columns.textColumn);
  if (sources.columns.textPairColumn !== undefined)
    args.push('--text-pair-column', sources.columns.textPairColumn);
  args.push('--label-column', sources.columns.labelColumn, '--json');
  return args;
}

export interface DoctorSummary {
  data: string;
  n: number;
  stages: { stage: string; path: string; accuracy: number; macroF1: number | undefined }[];
  total: number;
  findings: { code: string; severity: string; stage: string; message: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The report, or undefined when it is not the doctor's JSON. */
export function readDoctorReport(value: unknown): DoctorSummary | undefined {
  if (!isObject(value) || !Array.isArray(value.stages) || !Array.isArray(value.findings)) return undefined;
  const stages: DoctorSummary['stages'] = [];
  for (const s of value.stages as unknown[]) {
    if (!isObject(s)) return undefined;
    const stage = str(s.stage);
    const accuracy = num(s.accuracy);
    if (stage === undefined || accuracy === undefined) return undefined;
    stages.push({ stage, path: str(s.path) ?? '', accuracy, macroF1: num(s.macroF1) });
  }
  const findings: DoctorSummary['findings'] = [];
  for (const f of value.findings as unknown[]) {
    if (!isObject(f) || str(f.code) === undefined || str(f.message) === undefined) return undefined;
    findings.push({
      code: str(f.code) ?? '',
      severity: str(f.severity) ?? 'warning',
      stage: str(f.stage) ?? '',
      message: str(f.message) ?? '',
    });
  }
  const attribution = isObject(value.attribution) ? value.attribution : {};
  return {
    data: str(value.data) ?? '',
    n: num(value.n) ?? 0,
    stages,
    total: num(attribution.total) ?? 0,
    findings,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Lines for the output channel: the accuracy of each stage, then each finding (its message says the fix). */
export function formatDoctorLines(report: DoctorSummary): string[] {
  const width = Math.max(0, ...report.stages.map((s) => s.stage.length));
  return [
    `${report.n} examples from ${report.data}`,
    ...report.stages.map(
      (s) =>
        `  ${s.stage.padEnd(width)}  accuracy ${pct(s.accuracy).padStart(6)}${s.macroF1 !== undefined ? `  macro-F1 ${pct(s.macroF1).padStart(6)}` : ''}  ${s.path}`,
    ),
    `accuracy change, first to last stage: ${report.total > 0 ? '-' : '+'}${(100 * Math.abs(report.total)).toFixed(1)} pts`,
    ...(report.findings.length === 0
      ? ['no findings: the stages agree and none of the usual culprits applies.']
      : report.findings.map((f) => `${f.severity.toUpperCase()} ${f.code} (${f.stage}): ${f.message}`)),
  ];
}
