// Saves a tokenizer as a Hugging Face checkpoint's tokenizer files, which BertTokenizerFast.from_pretrained(dir)
// loads: vocab.txt, tokenizer.json (the layout transformers 5 writes), tokenizer_config.json, special_tokens_map.json.
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import type { BertTokenizer } from './bertTokenizer';

/** The tokenizer.json object (HF tokenizers format 1.0). */
export function tokenizerJson(tokenizer: BertTokenizer): Record<string, unknown> {
  const { options } = tokenizer;
  const { cls, sep, unk } = options.specialTokens;
  const id = (token: string): number => tokenizer.tokenToId(token) ?? 0;
  const special = (token: string, typeId: number): unknown => ({
    SpecialToken: { id: token, type_id: typeId },
  });
  const sequence = (name: 'A' | 'B', typeId: number): unknown => ({
    Sequence: { id: name, type_id: typeId },
  });
  const vocab: Record<string, number> = Object.create(null) as Record<string, number>; // "__proto__" is a token too
  tokenizer.vocab.forEach((token, i) => (vocab[token] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: tokenizer.addedTokens
      .map((t) => ({
        id: t.id,
        content: t.content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: t.special,
      }))
      .sort((x, y) => x.id - y.id),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: options.cleanText,
      handle_chinese_chars: options.handleChineseChars,
      strip_accents: options.stripAccents ?? null,
      lowercase: options.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
      pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [id(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [id(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: options.continuingSubwordPrefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: unk,
      continuing_subword_prefix: options.continuingSubwordPrefix,
      max_input_chars_per_word: options.maxInputCharsPerWord,
      vocab,
    },
  };
}

function specialTokensMap(tokenizer: BertTokenizer): Record<string, string> {
  const { unk, sep, pad, cls, mask } = tokenizer.options.specialTokens;
  return { unk_token: unk, sep_token: sep, pad_token: pad, cls_token: cls, mask_token: mask };
}

/** Writes the four files into `dir` (created if needed) and returns their paths. */
export async function saveBertTokenizer(tokenizer: BertTokenizer, dir: string): Promise<string[]> {
  const { options } = tokenizer;
  const config: Record<string, unknown> = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: options.lowercase,
    strip_accents: options.stripAccents ?? null,
    tokenize_chinese_chars: options.handleChineseChars,
    ...specialTokensMap(tokenizer),
  };
  // transformers' "no limit" (1e30) is left out, so that from_pretrained falls back to the same.
  if (options.modelMaxLength <= 1e20) config.model_max_length = options.modelMaxLength;
  const files: Array<[string, string]> = [
    ['vocab.txt', tokenizer.vocab.map((t) => `${t}\n`).join('')],
    ['tokenizer.json', `${JSON.stringify(tokenizerJson(tokenizer), null, 2)}\n`],
    ['tokenizer_config.json', `${JSON.stringify(config, null, 2)}\n`],
    ['special_tokens_map.json', `${JSON.stringify(specialTokensMap(tokenizer), null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
