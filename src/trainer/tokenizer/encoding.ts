// What encode() returns, and the steps after WordPiece, in BertTokenizerFast's order: truncate (tokenizers'
// utils/truncation.rs), add [CLS] A [SEP] B [SEP] (TemplateProcessing), pad (utils/padding.rs). The option rules
// (`maxLength` alone truncates, model_max_length fills in) follow transformers' _get_padding_truncation_strategies.

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';
export type PaddingStrategy = 'max_length' | 'longest' | 'none';

export interface EncodeOptions {
  /** Longest result in tokens, special tokens included. Given alone, it turns on 'longest_first' truncation. */
  maxLength?: number;
  /** Which sequence loses tokens when the pair is too long; without `maxLength`, model_max_length is the limit. */
  truncation?: TruncationStrategy;
  /** 'longest' pads a batch to its longest member; 'max_length' pads to `maxLength` (or model_max_length). */
  padding?: PaddingStrategy;
  /** Add [CLS] and [SEP] (default true). */
  addSpecialTokens?: boolean;
  /** Units of `offsets`: 'codePoint' (default) counts like Python's str and so equals offset_mapping; 'utf16'
   * counts like JavaScript's String#slice. They differ only after a character outside the BMP (most emoji). */
  offsetUnit?: 'codePoint' | 'utf16';
}

/** One encoded input, the fields of BertTokenizerFast's BatchEncoding in camelCase. */
export interface Encoding {
  inputIds: number[];
  tokenTypeIds: number[];
  attentionMask: number[];
  tokens: string[];
  /** [start, end) into the original text; [0, 0] for special and padding tokens (offset_mapping). */
  offsets: Array<[number, number]>;
  /** Index of the word each token came from, per sequence; null for special and padding tokens (word_ids()). */
  wordIds: Array<number | null>;
}

/** One token of one text, before special tokens are added; offsets are code points of that text. */
export interface SequenceToken {
  id: number;
  token: string;
  start: number;
  end: number;
  wordId: number;
}

export type SequenceTokens = SequenceToken[];

/** Above this, model_max_length means "no limit" (transformers' LARGE_INTEGER, 1e20). */
const NO_LIMIT = 1e20;

export interface Shaping {
  truncation: Exclude<TruncationStrategy, 'do_not_truncate'> | undefined;
  padding: PaddingStrategy;
  maxLength: number | undefined;
}

/** Resolves the options as transformers does, given the tokenizer's model_max_length. */
export function resolveShaping(options: EncodeOptions, modelMaxLength: number): Shaping {
  let truncation = options.truncation;
  let padding = options.padding ?? 'none';
  let maxLength = options.maxLength;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0))
    throw new Error(`maxLength must be a whole number of tokens (0 or more); got ${maxLength}.`);
  if (maxLength !== undefined && padding === 'none' && truncation === undefined) truncation = 'longest_first';
  if (truncation === 'do_not_truncate') truncation = undefined;
  if (maxLength === undefined && (padding === 'max_length' || truncation !== undefined)) {
    if (modelMaxLength > NO_LIMIT) {
      if (padding === 'max_length') padding = 'none';
      truncation = undefined;
    } else maxLength = modelMaxLength;
  }
  return { truncation, padding, maxLength };
}

/**
 * Shortens the sequences so that, with `added` special tokens, they fit `maxLength`. 'longest_first' gives the
 * shorter sequence its full length when it fits in half, else splits evenly; the odd token goes to the longer one,
 * except when the shorter alone fills `maxLength` (then to the second): measured on tokenizers 0.23.2 over every
 * length up to 12 (cases.json truncationGrid keeps up to 8), where it differs from truncation.rs as published.
 */
export function truncate(
  first: SequenceTokens,
  second: SequenceTokens | undefined,
  maxLength: number,
  added: number,
  strategy: Exclude<TruncationStrategy, 'do_not_truncate'>,
): [SequenceTokens, SequenceTokens | undefined] {
  if (maxLength < added)
    throw new Error(
      `maxLength ${maxLength} cannot hold the ${added} special tokens of ${second ? 'a pair' : 'one text'}; use maxLength ${added + 1} or more.`,
    );
  const limit = maxLength - added;
  const n1 = first.length;
  const n2 = second?.length ?? 0;
  if (n1 + n2 <= limit) return [first, second];
  if (strategy === 'only_second' && second === undefined)
    throw new Error(
      `Truncation 'only_second' needs a second text (textPair); use 'longest_first' or 'only_first'.`,
    );
  if (strategy !== 'longest_first') {
    const target = strategy === 'only_first' ? n1 : n2;
    const toRemove = n1 + n2 - limit;
    if (target <= toRemove)
      throw new Error(
        `Truncation '${strategy}' would have to remove ${toRemove} tokens from the ${strategy === 'only_first' ? 'first' : 'second'} text, which has only ${target}; raise maxLength or use 'longest_first'.`,
      );
    return strategy === 'only_first'
      ? [first.slice(0, n1 - toRemove), second]
      : [first, second?.slice(0, n2 - toRemove)];
  }
  if (second === undefined) return [first.slice(0, limit), undefined];
  const shorter = Math.min(n1, n2);
  const half = Math.floor(limit / 2);
  let keepFirst: number;
  let keepSecond: number;
  if (shorter >= maxLength) [keepFirst, keepSecond] = [half, limit - half];
  else if (shorter <= limit - shorter)
    [keepFirst, keepSecond] = n1 <= n2 ? [n1, limit - n1] : [limit - n2, n2];
  else [keepFirst, keepSecond] = n1 <= n2 ? [half, limit - half] : [limit - half, half];
  return [first.slice(0, keepFirst), second.slice(0, keepSecond)];
}
