// Turns CLI input (texts or raw id lists) into a padded batch for any inference model, with the tokenizer that
// sits beside the model (checkpoint folder or the ONNX file's folder).
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { loadBertTokenizer } from '../tokenizer/tokenizerFiles';
import { UserError } from '../cliErrors';
import type { BertTokenizerSettings } from '../tokenizer/tokenizerOptions';
import type { EncodedBatch, InferenceModel } from './inferenceModel';

export async function tokenizerFor(
  dir: string,
  settings: BertTokenizerSettings = {},
): Promise<BertTokenizer> {
  try {
    return await loadBertTokenizer(dir, settings);
  } catch (error) {
    throw new UserError(`No usable tokenizer beside the model: ${(error as Error).message}`);
  }
}

/** The tokenizer a model was trained with: the files beside it, with the settings its metadata records. */
export function tokenizerForModel(model: InferenceModel): Promise<BertTokenizer> {
  return tokenizerFor(model.tokenizerDir, model.tokenizerSettings ?? {});
}

/** Encodes texts (and optional pairs), truncated to `maxLength` and padded to the longest. */
export function encodeTexts(
  tokenizer: BertTokenizer,
  texts: readonly string[],
  pairs: readonly string[] | undefined,
  maxLength: number,
): { batch: EncodedBatch; tokens: string[][] } {
  const encodings = tokenizer.encodeBatch(texts, pairs, {
    maxLength,
    truncation: 'longest_first',
    padding: 'longest',
  });
  return {
    batch: {
      inputIds: encodings.map((e) => e.inputIds),
      attentionMask: encodings.map((e) => e.attentionMask),
      tokenTypeIds: encodings.map((e) => e.tokenTypeIds),
    },
    tokens: encodings.map((e) => e.tokens),
  };
}

/** Parses `1,2,3` into ids; `what` names the option in errors. */
export function parseIdList(text: string, what: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const ids = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === '' || !Number.isInteger(ids[i]) || (ids[i] ?? -1) < 0);
  if (bad !== -1)
    throw new UserError(
      `${what}: "${parts[bad]}" (item ${bad + 1} of "${text}") is not a non-negative integer. Give comma-separated ids, e.g. 101,2023,102.`,
    );
  return ids;
}

/** Builds a batch from raw id lists; token types default to 0 and the mask to 1, and everything is padded. */
export function batchFromIds(
  inputIds: number[][],
  tokenTypeIds: number[][] | undefined,
  attentionMask: number[][] | undefined,
  vocabSize: number | undefined,
): EncodedBatch {
  inputIds.forEach((row, r) => {
    const tooBig = vocabSize === undefined ? -1 : row.findIndex((id) => id >= vocabSize);
    if (tooBig !== -1)
      throw new UserError(
        `--input-ids row ${r + 1}: id ${row[tooBig]} is outside the vocabulary (0..${(vocabSize ?? 0) - 1}).`,
      );
    for (const [name, other] of [
      ['--token-type-ids', tokenTypeIds],
      ['--attention-mask', attentionMask],
    ] as const) {
      const o = other?.[r];
      if (other !== undefined && (o === undefined || o.length !== row.length)) {
        throw new UserError(
          `${name} row ${r + 1} has ${o?.length ?? 0} values but --input-ids has ${row.length}; give one value per token.`,
        );
      }
    }
  });
  const length = Math.max(...inputIds.map((r) => r.length));
  const padTo = (row: number[], fill: number): number[] => [
    ...row,
    ...new Array<number>(length - row.length).fill(fill),
  ];
  return {
    inputIds: inputIds.map((r) => padTo(r, 0)),
    tokenTypeIds: inputIds.map((r, i) => padTo(tokenTypeIds?.[i] ?? new Array<number>(r.length).fill(0), 0)),
    attentionMask: inputIds.map((r, i) =>
      padTo(attentionMask?.[i] ?? new Array<number>(r.length).fill(1), 0),
    ),
  };
}
