// BERT's input template and padding: [CLS] A [SEP] with token type 0, then B [SEP] with type 1 (the
// TemplateProcessing transformers builds for BertTokenizerFast), then [PAD] to the right with attention mask 0, and
// offsets rewritten in UTF-16 units when asked for.
import type { Encoding, SequenceTokens } from './encoding';

export interface TemplateTokens {
  cls: { id: number; token: string };
  sep: { id: number; token: string };
}

function append(out: Encoding, sequence: SequenceTokens, typeId: number): void {
  for (const token of sequence) {
    out.inputIds.push(token.id);
    out.tokens.push(token.token);
    out.offsets.push([token.start, token.end]);
    out.wordIds.push(token.wordId);
    out.tokenTypeIds.push(typeId);
    out.attentionMask.push(1);
  }
}

function special(out: Encoding, token: { id: number; token: string }, typeId: number): void {
  out.inputIds.push(token.id);
  out.tokens.push(token.token);
  out.offsets.push([0, 0]);
  out.wordIds.push(null);
  out.tokenTypeIds.push(typeId);
  out.attentionMask.push(1);
}

/** Joins the sequences; without special tokens the type ids still say which sequence a token is from. */
export function applyTemplate(
  first: SequenceTokens,
  second: SequenceTokens | undefined,
  specials: TemplateTokens,
  addSpecialTokens: boolean,
): Encoding {
  const out: Encoding = {
    inputIds: [],
    tokenTypeIds: [],
    attentionMask: [],
    tokens: [],
    offsets: [],
    wordIds: [],
  };
  if (addSpecialTokens) special(out, specials.cls, 0);
  append(out, first, 0);
  if (addSpecialTokens) special(out, specials.sep, 0);
  if (second !== undefined) {
    append(out, second, 1);
    if (addSpecialTokens) special(out, specials.sep, 1);
  }
  return out;
}

/** Pads on the right to `length` (never truncates). */
export function pad(encoding: Encoding, length: number, padToken: { id: number; token: string }): Encoding {
  for (let i = encoding.inputIds.length; i < length; i++) {
    encoding.inputIds.push(padToken.id);
    encoding.tokens.push(padToken.token);
    encoding.offsets.push([0, 0]);
    encoding.wordIds.push(null);
    encoding.tokenTypeIds.push(0);
    encoding.attentionMask.push(0);
  }
  return encoding;
}

/** Rewrites code point offsets as UTF-16 offsets (token type ids say which text each token points into). */
export function toUtf16Offsets(encoding: Encoding, text: string, pairText: string | undefined): void {
  const tables = [text, pairText ?? ''].map((t) => {
    const table = [0];
    let at = 0;
    for (const c of t) table.push((at += c.length));
    return table;
  });
  encoding.offsets = encoding.offsets.map(([start, end], i) => {
    const table = tables[encoding.tokenTypeIds[i] ?? 0] ?? [];
    return encoding.wordIds[i] === null ? [start, end] : [table[start] ?? start, table[end] ?? end];
  });
}
