// The pipeline stages the doctor compares (teacher -> student -> onnx -> int8): each one evaluated on the same data
// with evaluateFile (the `eval` engine), then kept open with its per-example predictions for the culprit probes.
import { resolve } from 'node:path';
import { detectFormat, readTable } from '../../data/tableReader';
import { UserError } from '../cliErrors';
import { evaluateFile, type EvaluateFileReport } from '../eval/evaluateFile';
import { argmax } from '../eval/metrics';
import { openInferenceModel, type InferenceModel } from '../inference/inferenceModel';
import { encodeTexts, tokenizerForModel } from '../inference/textInputs';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';

export type StageName = 'teacher' | 'student' | 'onnx' | 'int8';

export interface StageSpec {
  name: StageName;
  path: string;
}

export interface Stage extends StageSpec {
  model: InferenceModel;
  tokenizer: StageTokenizer;
  labels: string[];
  /** Token limit this stage encodes with (what `eval` uses: an ONNX file's metadata max_length, else config.json). */
  maxLength: number;
  report: EvaluateFileReport;
  /** Predicted label name per data row. */
  predicted: string[];
}

export interface StageTokenizer {
  tokenizer: BertTokenizer;
  dir: string;
}

/** The data's texts (and second texts, for pair tasks) in row order. */
export interface DoctorData {
  texts: string[];
  pairs: string[] | undefined;
  n: number;
}

const BATCH = 32;

export async function readTexts(
  data: string,
  textColumn: string,
  textPairColumn?: string,
): Promise<DoctorData> {
  const file = resolve(data);
  const format = detectFormat(file);
  if (format === undefined)
    throw new UserError(`Cannot tell the format of ${data}; use a .tsv, .csv or .jsonl file.`);
  const table = await readTable(file, format);
  const texts = table.rows.map((r) => String(r.values[textColumn] ?? ''));
  const pairs =
    textPairColumn !== undefined ? table.rows.map((r) => String(r.values[textPairColumn] ?? '')) : undefined;
  return { texts, pairs, n: texts.length };
}

/** Evaluates one stage (accuracy through evaluateFile), then predicts every row with it for agreement. */
export async function openStage(
  spec: StageSpec,
  data: string,
  inputs: DoctorData,
  columns: { textColumn: string; textPairColumn?: string; labelColumn: string },
  backend: string | undefined,
): Promise<Stage> {
  const report = await evaluateFile({
    model: spec.path,
    data,
    ...columns,
    batchSize: BATCH,
    ...(backend !== undefined ? { backend } : {}),
  });
  const model = await openInferenceModel(spec.path, backend);
  try {
    const labels = model.labels ?? [];
    const tokenizer = await tokenizerForModel(model);
    const maxLength = Math.min(model.maxLength ?? 512, 512);
    const predicted: string[] = [];
    for (let i = 0; i < inputs.n; i += BATCH) {
      const { batch } = encodeTexts(
        tokenizer,
        inputs.texts.slice(i, i + BATCH),
        inputs.pairs?.slice(i, i + BATCH),
        maxLength,
      );
      const { logits } = await model.run(batch, { hidden: false });
      for (const row of logits ?? []) predicted.push(labels[argmax(row)] ?? String(argmax(row)));
    }
    return {
      ...spec,
      model,
      tokenizer: { tokenizer, dir: model.tokenizerDir },
      labels,
      maxLength,
      report,
      predicted,
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/** Share of rows on which two stages predict the same label name. */
export function agreement(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0) return 1;
  return a.filter((label, i) => label === b[i]).length / a.length;
}
