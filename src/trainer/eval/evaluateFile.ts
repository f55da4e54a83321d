// Evaluates a checkpoint folder or ONNX file on a labelled data file: the engine behind `eval` and the demo.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { detectFormat, labelOf, readTable } from '../../data/tableReader';
import { UserError } from '../cliErrors';
import { openInferenceModel } from '../inference/inferenceModel';
import { encodeTexts, tokenizerForModel } from '../inference/textInputs';
import { argmax, classificationMetrics, type ClassificationMetrics } from './metrics';

export interface EvaluateFileRequest {
  model: string;
  data: string;
  textColumn: string;
  textPairColumn?: string;
  labelColumn: string;
  batchSize: number;
  maxLength?: number;
  backend?: string;
  log?: (line: string) => void;
}

export interface EvaluateFileReport extends ClassificationMetrics {
  model: string;
  data: string;
  backend: string;
  /** Examples per second, tokenisation included, model loading excluded. */
  throughput: number;
  seconds: number;
  /** What the model's files disagree on (an ONNX file's metadata vs the config.json beside it). */
  warnings: string[];
}

/** Maps data labels to model label ids: by name, or by integer id when the model's labels are generic. */
export function labelMapper(modelLabels: readonly string[]): (label: string) => number | undefined {
  const byName = new Map(modelLabels.map((l, i) => [l, i]));
  const generic = modelLabels.every((l, i) => l === `LABEL_${i}`);
  return (label) => {
    const named = byName.get(label);
    if (named !== undefined) return named;
    if (generic && /^\d+$/.test(label) && Number(label) < modelLabels.length) return Number(label);
    return undefined;
  };
}

export async function evaluateFile(request: EvaluateFileRequest): Promise<EvaluateFileReport> {
  const file = resolve(request.data);
  const format = detectFormat(file);
  if (format === undefined)
    throw new UserError(`Cannot tell the format of ${request.data}; use a .tsv, .csv or .jsonl file.`);
  const table = await readTable(file, format).catch((error: unknown) => {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      `Cannot read ${request.data}: ${missing ? 'it does not exist' : (error as Error).message}.`,
    );
  });
  for (const column of [request.textColumn, request.labelColumn, request.textPairColumn]) {
    if (column !== undefined && !table.columns.includes(column)) {
      throw new UserError(
        `${request.data}:1: no column "${column}"; the columns are ${table.columns.join(', ')}. Use --text-column / --label-column.`,
      );
    }
  }
  if (table.problems.length > 0) {
    const first = table.problems.slice(0, 5).map((p) => `${request.data}:${p.line}: row ${p.message}`);
    throw new UserError(`${table.problems.length} unusable row(s):\n${first.join('\n')}`);
  }
  const model = await openInferenceModel(request.model, request.backend);
  request.log?.(model.backend);
  for (const warning of model.warnings ?? []) request.log?.(`warning: ${warning}`);
  try {
    const labels = model.labels;
    if (labels === undefined)
      throw new UserError(
        `${request.model} has no classification head, so it cannot be evaluated on labels.`,
      );
    const toId = labelMapper(labels);
    const gold: number[] = [];
    for (const row of table.rows) {
      const label = labelOf(row.values[request.labelColumn]);
      const id = label === undefined ? undefined : toId(label);
      if (id === undefined) {
        throw new UserError(
          `${request.data}:${row.line}: label ${JSON.stringify(label ?? null)} is not one the model predicts (${labels.join(', ')}).`,
        );
      }
      gold.push(id);
    }
    const tokenizer = await tokenizerForModel(model);
    const maxLength = request.maxLength ?? Math.min(model.maxLength ?? 512, 512);
    const predicted: number[] = [];
    const start = performance.now();
    for (let i = 0; i < table.rows.length; i += request.batchSize) {
      const rows = table.rows.slice(i, i + request.batchSize);
      const texts = rows.map((r) => String(r.values[request.textColumn] ?? ''));
      const pairColumn = request.textPairColumn;
      const pairs =
        pairColumn !== undefined ? rows.map((r) => String(r.values[pairColumn] ?? '')) : undefined;
      const { batch } = encodeTexts(tokenizer, texts, pairs, maxLength);
      const { logits } = await model.run(batch, { hidden: false });
      for (const row of logits ?? []) predicted.push(argmax(row));
    }
    const seconds = (performance.now() - start) / 1000;
    const metrics = classificationMetrics(gold, predicted, labels);
    return {
      model: request.model,
      data: request.data,
      backend: model.backend,
      ...metrics,
      throughput: metrics.n / seconds,
      seconds,
      warnings: [...(model.warnings ?? [])],
    };
  } finally {
    await model.dispose();
  }
}
