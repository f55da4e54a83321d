// `distill-studio export --model <dir> --out <file.onnx>`: builds the ONNX model, verifies it with onnxruntime
// against TensorFlow.js, then writes it with the tokenizer files beside it. Exit 0 exported, 1 verification failed
// (nothing written), 2 unusable input.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BACKEND_ORDER, describeBackend, initBackend, type BackendName } from '../backend/backend';
import { EXIT_INVALID, EXIT_OK } from '../cliErrors';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from '../onnx/exportGraph';
import { exportModel, type ExportReport } from '../onnx/exportModel';
import { displayPath } from './formatDiagnostics';

export interface ExportOptions {
  model: string;
  out: string;
  opset: number;
  quantize?: 'int8' | 'fp16';
  withHidden?: boolean;
  maxLength?: number;
  tolerance?: number;
  /** Labelled data: after verification, the export's accuracy (and the change from its baseline) on it. */
  data?: string;
  textColumn: string;
  labelColumn: string;
  /** TensorFlow.js backend for the reference run. */
  backend: 'auto' | BackendName;
  /** true: weights in `<out>.data` (ONNX external data); false: never; undefined: only when over 2 GiB. */
  externalData?: boolean;
  json?: boolean;
}

/** Where a verb prints: the process's stdout/stderr, or a buffer in tests. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function parseInteger(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${min}..${max}.`);
    return n;
  };
}

function parseTolerance(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number, e.g. 1e-3.');
  return n;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(1));
const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** The human-readable report. */
export function formatExportReport(r: ExportReport): string {
  const v = r.verification;
  const lines: string[] = [];
  const where = displayPath(r.file);
  lines.push(
    r.written
      ? `Exported ${where} (${mib(r.bytes)}, ${r.precision}, opset ${r.opset}, IR ${r.irVersion}): ${r.architecture}, ${r.parameters.toLocaleString('en-US')} parameters, max length ${r.maxLength}`
      : `NOT written: ${where} failed verification (${r.precision}, opset ${r.opset}).`,
  );
  lines.push(
    `  inputs: input_ids, attention_mask, token_type_ids (int64 [batch, sequence]); outputs: ${r.outputs.join(', ')}`,
  );
  const lengths = v.cases.map((c) => c.length);
  const batches = v.cases.map((c) => c.batch);
  lines.push(
    `  verified against TensorFlow.js on ${v.cases.length} batches (batch ${Math.min(...batches)}-${Math.max(...batches)}, length ${Math.min(...lengths)}-${Math.max(...lengths)}, padding, text pairs):`,
  );
  const gate = v.tolerance === undefined ? 'no limit; --tolerance sets one' : `tolerance ${sci(v.tolerance)}`;
  let detail = `    max |${v.output} diff| ${sci(v.maxAbsDiff)} (${gate}; largest |${v.output}| ${v.referenceScale.toFixed(2)})`;
  if (v.agreement !== undefined)
    detail += `, predictions agree ${percent(v.agreement.rate)} (${v.agreement.agree}/${v.agreement.total})`;
  lines.push(detail);
  if (v.hiddenMaxAbsDiff !== undefined)
    lines.push(
      `    hidden states max |diff| ${sci(v.hiddenMaxAbsDiff)}, attentions ${sci(v.attentionsMaxAbsDiff ?? 0)}`,
    );
  const q = r.quantization;
  if (q !== undefined) {
    const change =
      q.agreementChange === undefined
        ? ''
        : `, agreement ${q.agreementChange >= 0 ? '+' : ''}${(q.agreementChange * 100).toFixed(1)} points`;
    lines.push(
      `  vs the float32 export: size ${mib(r.bytes)} / ${mib(q.baseline.bytes)} = ${q.sizeRatio.toFixed(2)}x, speed ${q.speedup.toFixed(2)}x (p50 ${q.p50Ms.toFixed(1)} vs ${q.baseline.p50Ms.toFixed(1)} ms, batch ${q.timedAt.batch} x ${q.timedAt.sequence}, ${q.timedAt.threads} thread, CPU)${change}, max |diff| ${sci(v.maxAbsDiff)} vs ${sci(q.baseline.maxAbsDiff)}`,
    );
  }
  const a = r.accuracy;
  if (a !== undefined) {
    const base = a.baselineKind === 'tfjs' ? 'TensorFlow.js checkpoint' : 'float32 export';
    const points = (a.accuracyChange * 100).toFixed(1);
    lines.push(
      `  accuracy on ${displayPath(a.data)} (${a.n} rows): ${percent(a.exported.accuracy)} vs ${percent(a.baseline.accuracy)} for the ${base} (${a.accuracyChange >= 0 ? '+' : ''}${points} points), macro-F1 ${percent(a.exported.macroF1)} vs ${percent(a.baseline.macroF1)}`,
    );
  }
  if (r.externalData !== undefined)
    lines.push(
      `  weights: ${displayPath(r.externalData.file)} (ONNX external data, ${r.externalData.tensors} tensors, ${mib(r.externalData.bytes)}); keep it beside the .onnx`,
    );
  if (r.copied.length > 0) lines.push(`  beside it: ${r.copied.join(', ')}`);
  if (!r.written)
    lines.push(
      `  The difference is above the tolerance, so nothing was written. Re-run with --tolerance ${sci(v.maxAbsDiff * 2)} to accept it, or report the model: an fp32 export should match within 1e-4.`,
    );
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}

export async function runExport(options: ExportOptions, io: CommandIo = processIo): Promise<number> {
  const progress = options.json === true ? () => undefined : (line: string) => io.err(`${line}\n`);
  progress(`reference model on TensorFlow.js ${describeBackend(await initBackend(options.backend))}`);
  const report = await exportModel(
    {
      modelDir: options.model,
      out: options.out,
      opset: options.opset,
      precision: options.quantize ?? 'fp32',
      withHidden: options.withHidden === true,
      ...(options.maxLength !== undefined ? { maxLength: options.maxLength } : {}),
      ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
      ...(options.externalData !== undefined
        ? { externalData: options.externalData ? ('always' as const) : ('never' as const) }
        : {}),
      ...(options.data !== undefined
        ? {
            evaluate: {
              data: options.data,
              textColumn: options.textColumn,
              labelColumn: options.labelColumn,
              backend: options.backend,
            },
          }
        : {}),
    },
    progress,
  );
  if (options.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(formatExportReport(report));
    // Loud on purpose: a collapsed int8 model looks fine until someone reads its predictions.
    for (const w of report.warnings.filter((w) => w.startsWith('PREDICTIONS COLLAPSED')))
      io.err(`\n${'!'.repeat(72)}\n${w}\n${'!'.repeat(72)}\n`);
  }
  return report.written ? EXIT_OK : EXIT_INVALID;
}

export function registerExportCommand(
  program: Command,
  setExitCode: (code: number) => void,
  io: CommandIo = processIo,
): void {
  program
    .command('export')
    .description('export a checkpoint to ONNX, verified with onnxruntime against the TensorFlow.js model')
    .requiredOption('--model <dir>', 'checkpoint folder (config.json + model.safetensors)')
    .requiredOption(
      '--out <file.onnx>',
      'the ONNX file to write (tokenizer files and config.json go beside it)',
    )
    .option(
      '--opset <n>',
      `ONNX opset, ${MIN_OPSET}..${MAX_OPSET}`,
      parseInteger(MIN_OPSET, MAX_OPSET),
      DEFAULT_OPSET,
    )
    .addOption(
      new Option('--quantize <kind>', 'int8 (dynamic, CPU) or fp16 (GPU) weights').choices(['int8', 'fp16']),
    )
    .option('--with-hidden', 'also output hidden_states.0..L and attentions.0..L-1')
    .option(
      '--external-data',
      'store the weights in <out>.data beside the model (ONNX external data); automatic above 2 GiB',
    )
    .option('--no-external-data', 'never use external data (fails for weights over 2 GiB)')
    .option(
      '--max-length <n>',
      'longest input (default: max_position_embeddings)',
      parseInteger(1, 1_000_000),
    )
    .option(
      '--tolerance <x>',
      'largest |logit diff| accepted (default 1e-4 fp32, 1e-1 fp16, none for int8)',
      parseTolerance,
    )
    .option(
      '--data <file>',
      'labelled .tsv/.csv/.jsonl: report the accuracy of the export and its change from the float32 model',
    )
    .option('--text-column <name>', 'text column of --data', 'text')
    .option('--label-column <name>', 'label column of --data', 'label')
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend for the reference run')
        .choices(['auto', ...BACKEND_ORDER])
        .default('auto'),
    )
    .option('--json', 'print the report as one JSON object')
    .addHelpText(
      'after',
      '\nExit codes: 0 exported and verified, 1 verification failed (nothing written), 2 unusable input.\nSee docs/onnx.md.',
    )
    .action(async (options: ExportOptions) => setExitCode(await runExport(options, io)));
}
