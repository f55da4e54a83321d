// `distill-studio predict`: runs a checkpoint folder or an ONNX file on texts or raw token ids and prints the
// logits, probabilities and label, and on request every hidden state and attention map.
import type { Command } from 'commander';
import { argmax, softmaxRow } from '../eval/metrics';
import { openInferenceModel } from '../inference/inferenceModel';
import { batchFromIds, encodeTexts, parseIdList, tokenizerForModel } from '../inference/textInputs';
import { UserError } from '../cliErrors';

export interface PredictOptions {
  model: string;
  text?: string[];
  textPair?: string[];
  inputIds?: string[];
  tokenTypeIds?: string[];
  attentionMask?: string[];
  hidden?: boolean;
  json?: boolean;
  maxLength?: string;
  backend?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export async function runPredict(options: PredictOptions): Promise<number> {
  const texts = options.text ?? [];
  const ids = options.inputIds ?? [];
  if ((texts.length === 0) === (ids.length === 0))
    throw new UserError(
      'Give either --text (repeatable) or --input-ids (repeatable), not both and not neither.',
    );
  if (options.textPair !== undefined && options.textPair.length !== texts.length) {
    throw new UserError(
      `Give one --text-pair per --text (${texts.length} texts, ${options.textPair.length} pairs).`,
    );
  }
  const model = await openInferenceModel(options.model, options.backend);
  process.stderr.write(`${model.backend}\n`);
  for (const warning of model.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  try {
    const maxLength = options.maxLength !== undefined ? Number(options.maxLength) : (model.maxLength ?? 512);
    if (!Number.isInteger(maxLength) || maxLength < 2)
      throw new UserError(`--max-length must be an integer >= 2, not "${options.maxLength}".`);
    let batch;
    let tokens: string[][] | undefined;
    if (texts.length > 0) {
      const tokenizer = await tokenizerForModel(model);
      ({ batch, tokens } = encodeTexts(tokenizer, texts, options.textPair, maxLength));
    } else {
      const rows = (list: string[] | undefined, what: string): number[][] | undefined =>
        list?.map((t) => parseIdList(t, what));
      const inputIds = rows(ids, '--input-ids') ?? [];
      batch = batchFromIds(
        inputIds,
        rows(options.tokenTypeIds, '--token-type-ids'),
        rows(options.attentionMask, '--attention-mask'),
        undefined,
      );
    }
    const result = await model.run(batch, { hidden: options.hidden === true });
    const output: Record<string, unknown> = { input_ids: batch.inputIds };
    if ((model.warnings ?? []).length > 0) output['warnings'] = model.warnings;
    if (tokens !== undefined) output['tokens'] = tokens;
    if (result.logits !== undefined) {
      output['logits'] = result.logits;
      const probabilities = result.logits.map((row) => softmaxRow(row));
      output['probabilities'] = probabilities;
      const labels = model.labels;
      output['label'] = probabilities.map((p) => labels?.[argmax(p)] ?? `LABEL_${argmax(p)}`);
    }
    if (options.hidden === true) {
      output['last_hidden_state'] = result.lastHiddenState;
      output['hidden_states'] = result.hiddenStates;
      output['attentions'] = result.attentions;
    }
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify(output)}\n`);
      return 0;
    }
    const labels = output['label'] as string[] | undefined;
    const probabilities = output['probabilities'] as number[][] | undefined;
    batch.inputIds.forEach((row, i) => {
      const shown = tokens?.[i]?.filter((t) => t !== '[PAD]').join(' ') ?? row.join(',');
      process.stdout.write(`[${i}] ${shown}\n`);
      if (labels !== undefined && probabilities !== undefined) {
        const names = model.labels ?? probabilities[i]?.map((_, j) => `LABEL_${j}`) ?? [];
        const probs = (probabilities[i] ?? []).map((p, j) => `${names[j]} ${p.toFixed(4)}`).join(', ');
        process.stdout.write(`    label: ${labels[i]}   (${probs})\n`);
      } else {
        process.stdout.write(
          `    no classification head: encoder output ${JSON.stringify([result.lastHiddenState?.[i]?.length, result.lastHiddenState?.[i]?.[0]?.length])} (use --json --hidden)\n`,
        );
      }
    });
    return 0;
  } finally {
    await model.dispose();
  }
}

export function registerPredictCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('predict')
    .description('run a checkpoint folder or an .onnx file on texts or token ids')
    .requiredOption('--model <path>', 'checkpoint folder (config.json + model.safetensors) or .onnx file')
    .option('--text <text>', 'input text (repeat for a batch)', collect)
    .option('--text-pair <text>', 'second text of a pair (one per --text)', collect)
    .option('--input-ids <ids>', 'comma-separated token ids (repeat for a batch)', collect)
    .option('--token-type-ids <ids>', 'comma-separated token type ids, one list per --input-ids', collect)
    .option('--attention-mask <mask>', 'comma-separated 0/1 mask, one list per --input-ids', collect)
    .option('--max-length <n>', 'truncate texts to this many tokens (default: the model limit)')
    .option('--hidden', 'also output last_hidden_state, hidden_states and attentions')
    .option(
      '--backend <name>',
      'TensorFlow.js backend for checkpoint folders: auto, tfjs-node-gpu, tfjs-node, wasm, cpu',
      'auto',
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (options: PredictOptions) => setExitCode(await runPredict(options)));
}
