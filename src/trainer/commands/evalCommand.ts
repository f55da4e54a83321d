// `distill-studio eval`: accuracy, macro-F1, per-class precision/recall, confusion matrix, n and throughput of a
// checkpoint folder or an ONNX file on a labelled data file.
import type { Command } from 'commander';
import { UserError } from '../cliErrors';
import { evaluateFile } from '../eval/evaluateFile';
import type { ClassificationMetrics } from '../eval/metrics';

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

export async function runEval(options: EvalOptions): Promise<number> {
  const batchSize = Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UserError(`--batch-size must be a positive integer, not "${options.batchSize}".`);
  }
  const report = await evaluateFile({
    model: options.model,
    data: options.data,
    textColumn: options.textColumn,
    labelColumn: options.labelColumn,
    batchSize,
    ...(options.textPairColumn !== undefined ? { textPairColumn: options.textPairColumn } : {}),
    ...(options.maxLength !== undefined ? { maxLength: Number(options.maxLength) } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (options.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report, report.throughput));
  return 0;
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
