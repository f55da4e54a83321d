// Accuracy of an export on labelled data (`export --data`): the written file and its baseline (the TensorFlow.js
// checkpoint for an fp32 export, the float32 ONNX export for int8/fp16) go through evaluateFile on the same rows,
// giving the accuracy change and each model's predicted-class counts, so a collapse to one class shows in numbers.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { detectFormat, labelOf, readTable } from '../../data/tableReader';
import { UserError } from '../cliErrors';
import { evaluateFile, labelMapper, type EvaluateFileReport } from '../eval/evaluateFile';
import { writeArtifact, type OnnxArtifact } from './externalData';
import type { Precision } from './layers';

export interface AccuracyData {
  /** A labelled .tsv, .csv or .jsonl file. */
  data: string;
  textColumn: string;
  labelColumn: string;
  /** TensorFlow.js backend for a checkpoint baseline: the one the export's reference run used. */
  backend?: string;
}

export interface ModelAccuracy {
  accuracy: number;
  macroF1: number;
  /** Rows predicted as each class, in label order. */
  predictedCounts: number[];
}

export interface AccuracyReport {
  data: string;
  /** Rows evaluated. */
  n: number;
  labels: string[];
  /** The written export. */
  exported: ModelAccuracy;
  /** What the export is compared with: the TensorFlow.js checkpoint (fp32) or the float32 ONNX export. */
  baselineKind: 'tfjs' | 'fp32-onnx';
  baseline: ModelAccuracy;
  /** exported minus baseline accuracy (negative = the export lost accuracy). */
  accuracyChange: number;
  /** The baseline predicts two or more classes on this data, the export only one. */
  collapsed: boolean;
}

function summarise(report: EvaluateFileReport): ModelAccuracy {
  const k = report.confusion.length;
  const predictedCounts = Array.from({ length: k }, (_, c) =>
    report.confusion.reduce((sum, row) => sum + (row[c] ?? 0), 0),
  );
  return { accuracy: report.accuracy, macroF1: report.macroF1, predictedCounts };
}

/**
 * Checks that the data file reads, has both columns and only labels the model predicts, before any export work, so a
 * bad --data writes nothing (evaluateFile checks it all again later).
 */
export async function checkAccuracyData(data: AccuracyData, modelLabels: readonly string[]): Promise<void> {
  const format = detectFormat(resolve(data.data));
  if (format === undefined)
    throw new UserError(`Cannot tell the format of ${data.data}; use a .tsv, .csv or .jsonl file.`);
  const table = await readTable(resolve(data.data), format).catch((error: unknown) => {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      `Cannot read ${data.data}: ${missing ? 'it does not exist' : (error as Error).message}.`,
    );
  });
  for (const column of [data.textColumn, data.labelColumn])
    if (!table.columns.includes(column))
      throw new UserError(
        `${data.data}:1: no column "${column}"; the columns are ${table.columns.join(', ')}. Use --text-column / --label-column.`,
      );
  const toId = labelMapper(modelLabels);
  for (const row of table.rows) {
    const label = labelOf(row.values[data.labelColumn]);
    if (label === undefined || toId(label) === undefined)
      throw new UserError(
        `${data.data}:${row.line}: label ${JSON.stringify(label ?? null)} is not one the model predicts (${modelLabels.join(', ')}); nothing was exported. Give data labelled with the model's labels (id2label in its config.json).`,
      );
  }
}

const distinct = (counts: readonly number[]): number => counts.filter((n) => n > 0).length;

/**
 * Evaluates the written export `file` and its baseline on `data`. For a quantized export `baselineArtifact` holds the
 * float32 ONNX export (with its external data, if any): it is written to a temporary folder with the companion files (tokenizer, config.json for
 * the labels) copied from beside `file`, and removed afterwards.
 */
export async function exportAccuracy(
  file: string,
  precision: Precision,
  modelDir: string,
  baselineArtifact: OnnxArtifact | undefined,
  companions: readonly string[],
  data: AccuracyData,
  log: (line: string) => void = () => undefined,
): Promise<AccuracyReport> {
  const request = (model: string): Parameters<typeof evaluateFile>[0] => ({
    model,
    data: data.data,
    textColumn: data.textColumn,
    labelColumn: data.labelColumn,
    batchSize: 32,
    ...(data.backend !== undefined ? { backend: data.backend } : {}),
  });
  log(`evaluating ${precision} export on ${data.data}...`);
  const exported = await evaluateFile(request(file));
  let baseline: EvaluateFileReport;
  if (precision === 'fp32' || baselineArtifact === undefined) {
    log(`evaluating the TensorFlow.js checkpoint on ${data.data}...`);
    baseline = await evaluateFile(request(resolve(modelDir)));
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'distill-studio-fp32-'));
    try {
      const fp32 = join(dir, 'model.onnx');
      await writeArtifact(fp32, baselineArtifact);
      for (const name of companions) await copyFile(join(dirname(file), name), join(dir, name));
      log(`evaluating the float32 export on ${data.data}...`);
      baseline = await evaluateFile(request(fp32));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const ex = summarise(exported);
  const base = summarise(baseline);
  return {
    data: data.data,
    n: exported.n,
    labels: exported.perClass.map((c) => c.label),
    exported: ex,
    baselineKind: precision === 'fp32' || baselineArtifact === undefined ? 'tfjs' : 'fp32-onnx',
    baseline: base,
    accuracyChange: ex.accuracy - base.accuracy,
    collapsed: distinct(base.predictedCounts) >= 2 && distinct(ex.predictedCounts) === 1,
  };
}

/** The loud warning for an export that predicts one class on the user's data, with the numbers. */
export function dataCollapseWarning(precision: Precision, r: AccuracyReport): string | undefined {
  if (!r.collapsed) return undefined;
  const counts = (c: number[]): string => c.map((n, i) => `${r.labels[i] ?? i}:${n}`).join(' ');
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const base = r.baselineKind === 'tfjs' ? 'the TensorFlow.js model' : 'the float32 export';
  return `PREDICTIONS COLLAPSED ON ${r.data}: the ${precision} model predicts one class for all ${r.n} rows (${counts(r.exported.predictedCounts)}) where ${base} predicts several (${counts(r.baseline.predictedCounts)}); accuracy ${pct(r.exported.accuracy)} vs ${pct(r.baseline.accuracy)}. Do not ship it: export fp32 or fp16 instead.`;
}
