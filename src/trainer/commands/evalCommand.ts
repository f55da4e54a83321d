// `distill-studio eval`: accuracy, macro-F1, per-class precision/recall, confusion matrix, n and throughput of a
// checkpoint folder or an ONNX file on a labelled data file.
import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { detectFormat, labelOf, readTable } from '../../data/tableReader';
import { UserError } from '../cliErrors';
import { argmax, classificationMetrics, type ClassificationMetrics } from '../eval/metrics';
import { openInferenceModel } from '../inference/inferenceModel';
import { encodeTexts, tokenizerFor } from '../inference/textInputs';

export interface EvalOptions {
  model: string;
  data: string;
  textColumn: string;
  textPairColumn?: string;
  labelColumn: string;
  batchSize: string;
  maxLength?: string;
  backend?: string;
  json?: boolean;
}

/** Maps data labels to model label ids: by name, or by integer id when the model's labels are generic. */
function labelMapper(modelLabels: readonly string[]): (label: string) => number | undefined {
  const byName = new Map(modelLabels.map((l, i) => [l, i]));
  const generic = modelLabels.every((l, i) => l === `LABEL_${i}`);
  return (label) => {
    const named = byName.get(label);
    if (named !== undefined) return named;
    if (generic && /^\d+$/.test(label) && Number(label) < modelLabels.length) return Number(label);
    return undefined;
  };
}

export async function runEval(options: EvalOptions): Promise<number> {
  const file = resolve(options.data);
  const format = detectFormat(file);
  if (format === undefined)
    throw new UserError(`Cannot tell the format of ${options.data}; use a .tsv, .csv or .jsonl file.`);
  const table = await readTable(file, format).catch((error: unknown) => {
    throw new UserError(
      `Cannot read ${options.data}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}.`,
    );
  });
  for (const column of [options.textColumn, options.labelColumn, options.textPairColumn]) {
    if (column !== undefined && !table.columns.includes(column)) {
      throw new UserError(
        `${options.data}:1: no column "${column}"; the columns are ${table.columns.join(', ')}. Use --text-column / --label-column.`,
      );
    }
  }
  if (table.problems.length > 0) {
    const first = table.problems.slice(0, 5).map((p) => `${options.data}:${p.line}: row ${p.message}`);
    throw new UserError(`${table.problems.length} unusable row(s):\n${first.join('\n')}`);
  }
  const batchSize = Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UserError(`--batch-size must be a positive integer, not "${options.batchSize}".`);
  const model = await openInferenceModel(options.model, options.backend);
  process.stderr.write(`${model.backend}\n`);
  try {
    const labels = model.labels;
    if (labels === undefined)
      throw new UserError(
        `${options.model} has no classification head, so it cannot be evaluated on labels.`,
      );
    const toId = labelMapper(labels);
    const gold: number[] = [];
    for (const row of table.rows) {
      const label = labelOf(row.values[options.labelColumn]);
      const id = label === undefined ? undefined : toId(label);
      if (id === undefined) {
        throw new UserError(
          `${options.data}:${row.line}: label ${JSON.stringify(label ?? null)} is not one the model predicts (${labels.join(', ')}).`,
        );
      }
      gold.push(id);
    }
    const tokenizer = await tokenizerFor(model.tokenizerDir);
    const maxLength =
      options.maxLength !== undefined ? Number(options.maxLength) : Math.min(model.maxLength ?? 512, 512);
    const predicted: number[] = [];
    const start = performance.now();
    for (let i = 0; i < table.rows.length; i += batchSize) {
      const rows = table.rows.slice(i, i + batchSize);
      const texts = rows.map((r) => String(r.values[options.textColumn] ?? ''));
      const pairs =
        options.textPairColumn !== undefined
          ? rows.map((r) => String(r.values[options.textPairColumn as string] ?? ''))
          : undefined;
      const { batch } = encodeTexts(tokenizer, texts, pairs, maxLength);
      const { logits } = await model.run(batch, { hidden: false });
      for (const row of logits ?? []) predicted.push(argmax(row));
    }
    const seconds = (performance.now() - start) / 1000;
    const metrics = classificationMetrics(gold, predicted, labels);
    const report = {
      model: options.model,
      data: options.data,
      backend: model.backend,
      ...metrics,
      throughput: metrics.n / seconds,
      seconds,
    };
    if (options.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(formatReport(metrics, report.throughput));
    return 0;
  } finally {
    await model.dispose();
  }
}

function formatReport(m: ClassificationMetrics, throughput: number): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const width = Math.max(5, ...m.perClass.map((c) => c.label.length));
  const lines = [
    `n ${m.n}   accuracy ${pct(m.accuracy)}   macro-F1 ${pct(m.macroF1)}   ${throughput.toFixed(1)} examples/s`,
    '',
    `${'label'.padEnd(width)}  precision  recall     F1  support`,
    ...m.perClass.map(
      (c) =>
        `${c.label.padEnd(width)}  ${pct(c.precision).padStart(9)}  ${pct(c.recall).padStart(6)}  ${pct(c.f1).padStart(6)}  ${String(c.support).padStart(7)}`,
    ),
    '',
    `confusion (rows gold, columns predicted): ${m.perClass.map((c) => c.label).join(', ')}`,
    ...m.confusion.map(
      (row, i) =>
        `${(m.perClass[i]?.label ?? '').padEnd(width)}  ${row.map((v) => String(v).padStart(6)).join('')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerEvalCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('eval')
    .description('accuracy, macro-F1, per-class precision/recall and confusion matrix on a labelled file')
    .requiredOption('--model <path>', 'checkpoint folder or .onnx file')
    .requiredOption('--data <file>', 'labelled data: .tsv, .csv or .jsonl with a header')
    .option('--text-column <name>', 'text column', 'text')
    .option('--text-pair-column <name>', 'second text column for pairs')
    .option('--label-column <name>', 'gold label column', 'label')
    .option('--batch-size <n>', 'examples per batch', '32')
    .option('--max-length <n>', 'truncate to this many tokens')
    .option('--backend <name>', 'TensorFlow.js backend for checkpoint folders', 'auto')
    .option('--json', 'print one JSON object')
    .action(async (options: EvalOptions) => setExitCode(await runEval(options)));
}
