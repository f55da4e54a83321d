// The settings of a BERT tokenizer and their defaults: BertNormalizer's switches (tokenizer_config.json do_lower_case,
// strip_accents, tokenize_chinese_chars), the special tokens, model_max_length and the WordPiece options.
import type { BertNormalizerOptions } from './normalizer';

/** The special tokens' strings (tokenizer_config.json unk_token, sep_token, ...). */
export interface SpecialTokens {
  unk: string;
  sep: string;
  pad: string;
  cls: string;
  mask: string;
}

export interface BertTokenizerOptions extends BertNormalizerOptions {
  specialTokens: SpecialTokens;
  /** Limit used when truncation or max_length padding is asked for without maxLength (tokenizer_config.json). */
  modelMaxLength: number;
  continuingSubwordPrefix: string;
  /** Longer words become the unknown token whole. */
  maxInputCharsPerWord: number;
}

/** What a caller may set; everything left out takes BERT's default. */
export type BertTokenizerSettings = Partial<Omit<BertTokenizerOptions, 'specialTokens'>> & {
  specialTokens?: Partial<SpecialTokens>;
};

/** BertTokenizerFast's defaults; model_max_length is transformers' "no limit" value. */
export const BERT_DEFAULTS: BertTokenizerOptions = {
  cleanText: true,
  handleChineseChars: true,
  stripAccents: undefined,
  lowercase: true,
  specialTokens: { unk: '[UNK]', sep: '[SEP]', pad: '[PAD]', cls: '[CLS]', mask: '[MASK]' },
  modelMaxLength: 1e30,
  continuingSubwordPrefix: '##',
  maxInputCharsPerWord: 100,
};

/** transformers adds the special tokens in this order, appending those the vocabulary lacks. */
export const SPECIAL_ORDER = ['unk', 'sep', 'pad', 'cls', 'mask'] as const;

/**
 * `settings` without its undefined entries, so that `{ lowercase: spec.lowercase }` with no value given keeps the
 * default (or the tokenizer_config.json value) instead of replacing it with undefined.
 */
export function definedSettings(settings: BertTokenizerSettings): BertTokenizerSettings {
  const out = Object.fromEntries(
    Object.entries(settings).filter(([, v]) => v !== undefined),
  ) as BertTokenizerSettings;
  if (settings.specialTokens !== undefined)
    out.specialTokens = Object.fromEntries(
      Object.entries(settings.specialTokens).filter(([, v]) => v !== undefined),
    ) as Partial<SpecialTokens>;
  return out;
}
