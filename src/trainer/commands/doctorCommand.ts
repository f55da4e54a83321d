// `distill-studio doctor`: accuracy of teacher, student, ONNX and int8 on the same data, agreement between
// consecutive stages, where the drop came from, and the usual culprits with their fixes.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_INVALID, EXIT_OK } from '../cliErrors';
import { pct } from '../doctor/checks';
import { runDoctor, type DoctorReport, type DoctorRequest } from '../doctor/runDoctor';
import { writeFileAtomic } from '../util/atomicWrite';
import { processIo, type CommandIo } from './exportCommand';
import { displayPath } from './formatDiagnostics';

/** Identifies the layout of doctor.json (the `--json` report plus schema and time). */
export const DOCTOR_SCHEMA = 'distill-studio.doctor/1';

/**
 * Where the report is kept: `doctor.json` in the run folder of the student (runs/<name>/final -> runs/<name>), where
 * the dashboard's Doctor tab reads it; undefined when the student is not inside a run folder.
 */
export function doctorFileFor(student: string): string | undefined {
  const runDir = dirname(resolve(student));
  const isRun = existsSync(join(runDir, 'run.json')) || existsSync(join(runDir, 'events.jsonl'));
  return isRun ? join(runDir, 'doctor.json') : undefined;
}

/** The command line's options: the doctor's request (less its log sink) plus the output format. */
export interface DoctorOptions extends Omit<DoctorRequest, 'log'> {
  json?: boolean;
}

export async function runDoctorCommand(options: DoctorOptions, io: CommandIo = processIo): Promise<number> {
  const report = await runDoctor({
    teacher: options.teacher,
    student: options.student,
    ...(options.onnx !== undefined ? { onnx: options.onnx } : {}),
    ...(options.onnxInt8 !== undefined ? { onnxInt8: options.onnxInt8 } : {}),
    data: options.data,
    textColumn: options.textColumn,
    ...(options.textPairColumn !== undefined ? { textPairColumn: options.textPairColumn } : {}),
    labelColumn: options.labelColumn,
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    log: options.json === true ? undefined : (line) => io.err(`${line}\n`),
  });
  const file = doctorFileFor(options.student);
  if (file !== undefined)
    await writeFileAtomic(
      file,
      `${JSON.stringify({ schema: DOCTOR_SCHEMA, createdAt: new Date().toISOString(), ...report }, null, 2)}\n`,
    );
  if (options.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(formatDoctorReport(report));
    if (file !== undefined) io.out(`\nSaved ${displayPath(file)}\n`);
  }
  return report.findings.some((f) => f.severity === 'error') ? EXIT_INVALID : EXIT_OK;
}

/** A drop (positive = lost) as a signed change in accuracy points. */
const points = (drop: number): string => `${drop > 0 ? '-' : '+'}${(100 * Math.abs(drop)).toFixed(1)} pts`;

export function formatDoctorReport(r: DoctorReport): string {
  const width = Math.max(...r.stages.map((s) => s.stage.length));
  const lines = [
    `${r.n} examples from ${r.data}`,
    '',
    ...r.stages.map(
      (s) =>
        `${s.stage.padEnd(width)}  accuracy ${pct(s.accuracy).padStart(6)}  macro-F1 ${pct(s.macroF1).padStart(6)}  max ${s.maxLength} tokens  ${s.path}`,
    ),
    '',
    ...r.agreement.map((a) => `agreement ${a.from} -> ${a.to}: ${pct(a.rate)}`),
    '',
    `accuracy change, first to last stage: ${points(r.attribution.total)}`,
  ];
  const steps = [
    ['distillation', r.attribution.distillation],
    ['conversion', r.attribution.conversion],
    ['quantization', r.attribution.quantization],
  ] as const;
  for (const [step, drop] of steps) {
    if (drop === undefined) continue;
    const share =
      r.attribution.total > 0 && drop > 0 ? ` (${pct(drop / r.attribution.total)} of the drop)` : '';
    lines.push(`  ${step.padEnd(12)}  ${points(drop)}${share}`);
  }
  lines.push('');
  if (r.findings.length === 0)
    lines.push('no findings: the stages agree and none of the usual culprits applies.');
  else
    for (const f of r.findings)
      lines.push(`${f.severity.toUpperCase()} ${f.code} (${f.stage}): ${f.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerDoctorCommand(
  program: Command,
  setExitCode: (code: number) => void,
  io: CommandIo = processIo,
): void {
  program
    .command('doctor')
    .description(
      'where did the accuracy go? teacher -> student -> ONNX -> int8 on the same data, with culprits',
    )
    .requiredOption('--teacher <path>', 'teacher checkpoint folder or .onnx file')
    .requiredOption('--student <path>', 'student checkpoint folder')
    .option('--onnx <file>', 'ONNX export of the student')
    .option('--onnx-int8 <file>', 'int8 ONNX export of the student')
    .requiredOption('--data <file>', 'labelled data: .tsv, .csv or .jsonl with a header')
    .option('--text-column <name>', 'text column', 'text')
    .option('--text-pair-column <name>', 'second text column, for sentence-pair tasks')
    .option('--label-column <name>', 'gold label column', 'label')
    .option('--backend <name>', 'TensorFlow.js backend for checkpoint folders', 'auto')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      "\nWhen the student is a model folder of a run (runs/<name>/final), the report is also saved as runs/<name>/doctor.json, which the dashboard's Doctor tab shows.",
    )
    .action(async (options: DoctorOptions) => setExitCode(await runDoctorCommand(options, io)));
}
