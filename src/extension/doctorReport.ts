// Diagnose Accuracy Drop, the parts without vscode: what to compare for a run folder, and the JSON report of
// `distill-studio doctor --json` (untrusted child output) narrowed and formatted for the output channel.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface DoctorSources {
  teacher: string | undefined;
  student: string | undefined;
  onnx: string | undefined;
}

/** teacher = <run>/teacher, student = <run>/final (else best), onnx = <run>/onnx/student/model.onnx: those present. */
export function doctorSourcesFromRun(runDir: string): DoctorSources {
  const present = (...parts: string[]): string | undefined => {
    const path = join(runDir, ...parts);
    return existsSync(path) ? path : undefined;
  };
  return {
    teacher: present('teacher'),
    student: present('final') ?? present('best'),
    onnx: present('onnx', 'student', 'model.onnx'),
  };
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
