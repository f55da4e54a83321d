// Loads a BERT tokenizer from a Hugging Face checkpoint folder, a vocab.txt or a tokenizer.json, with the
// tokenizer_config.json beside it. Settings resolve as BertTokenizerFast.from_pretrained does (transformers 4 and 5):
// tokenizer_config.json keys, else BERT's defaults, win over tokenizer.json's normalizer and model options; from
// tokenizer.json only the vocabulary is taken. That is what the teacher saw when it was fine-tuned.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BertTokenizer } from './bertTokenizer';
import { definedSettings, type BertTokenizerSettings, type SpecialTokens } from './tokenizerOptions';
import { isWhitespace } from './charClasses';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(
        `${what} "${file}" does not exist. Point at a BERT checkpoint folder (with tokenizer.json or vocab.txt) or at the vocab.txt itself, or train a vocabulary with trainWordPiece.`,
      );
    throw new Error(`${what} "${file}" cannot be read: ${(error as Error).message}`);
  }
}

/** vocab.txt: one token a line, the line number is the id; trailing whitespace (and a CR) is trimmed. */
export function parseVocabTxt(text: string, file: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const tokens = lines.map((line) => {
    let end = line.length;
    while (end > 0 && isWhitespace(line.charCodeAt(end - 1))) end--;
    return line.slice(0, end);
  });
  if (tokens.every((t) => t === ''))
    throw new Error(
      `Vocabulary file "${file}" is empty; a WordPiece vocab.txt lists one token per line ([PAD], [UNK], [CLS], [SEP], [MASK], then the word pieces). Copy vocab.txt from the teacher checkpoint, or train one with trainWordPiece.`,
    );
  return tokens;
}

function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.content === 'string') return value.content; // {"__type": "AddedToken", ...}
  return undefined;
}

/** The tokenizer_config.json keys BertTokenizerFast reads, with transformers' defaults for missing ones. */
export function parseTokenizerConfig(json: unknown, file: string): BertTokenizerSettings {
  if (json === undefined) json = {};
  if (!isRecord(json)) throw new Error(`"${file}" must hold a JSON object (tokenizer_config.json).`);
  const flag = (key: string, fallback: boolean): boolean => {
    const value = json[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean')
      throw new Error(`"${file}": "${key}" must be true or false, not ${JSON.stringify(value)}.`);
    return value;
  };
  const stripAccents = json.strip_accents;
  if (stripAccents !== undefined && stripAccents !== null && typeof stripAccents !== 'boolean')
    throw new Error(
      `"${file}": "strip_accents" must be true, false or null, not ${JSON.stringify(stripAccents)}.`,
    );
  const options: BertTokenizerSettings = {
    lowercase: flag('do_lower_case', true),
    stripAccents: typeof stripAccents === 'boolean' ? stripAccents : undefined,
    handleChineseChars: flag('tokenize_chinese_chars', true),
  };
  if (typeof json.model_max_length === 'number') options.modelMaxLength = json.model_max_length;
  const specialTokens: Partial<SpecialTokens> = {};
  for (const role of ['unk', 'sep', 'pad', 'cls', 'mask'] as const) {
    const token = tokenString(json[`${role}_token`]);
    if (token !== undefined) specialTokens[role] = token;
  }
  options.specialTokens = specialTokens;
  return options;
}

/** A tokenizer.json's vocabulary (tokens by id) and the contents of its added tokens. */
export interface TokenizerJsonContent {
  vocab: string[];
  addedTokens: string[];
}

/** Reads a Hugging Face tokenizer.json with a WordPiece model. */
export function parseTokenizerJson(json: unknown, file: string): TokenizerJsonContent {
  if (!isRecord(json) || !isRecord(json.model))
    throw new Error(`"${file}" is not a Hugging Face tokenizer.json: it has no "model" object.`);
  const { model } = json;
  if (model.type !== undefined && model.type !== 'WordPiece')
    throw new Error(
      `"${file}" holds a ${String(model.type)} tokenizer; BERT and MobileBERT use WordPiece. Use the teacher's own tokenizer, or its vocab.txt.`,
    );
  if (!isRecord(model.vocab)) throw new Error(`"${file}": model.vocab must map each token to its id.`);
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      throw new Error(
        `"${file}": model.vocab gives "${token}" the id ${JSON.stringify(id)}; ids are whole numbers from 0.`,
      );
    vocab[id] = token;
  }
  const hole = Array.from(vocab.keys()).find((id) => vocab[id] === undefined);
  if (hole !== undefined)
    throw new Error(`"${file}": model.vocab has no token with id ${hole}; ids must run 0..n-1.`);
  if (vocab.length === 0)
    throw new Error(
      `"${file}": model.vocab is empty. Use the tokenizer.json saved with the teacher checkpoint.`,
    );
  const added = Array.isArray(json.added_tokens) ? json.added_tokens : [];
  return { vocab, addedTokens: added.map(tokenString).filter((t): t is string => t !== undefined) };
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} "${file}" is not valid JSON: ${(error as Error).message}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Loads a tokenizer from a folder (tokenizer.json, else vocab.txt, plus tokenizer_config.json when present), or
 * from a vocab.txt / tokenizer.json file (plus the tokenizer_config.json beside it). `overrides` win over both.
 */
export async function loadBertTokenizer(
  path: string,
  overrides: BertTokenizerSettings = {},
): Promise<BertTokenizer> {
  const info = await stat(path).catch(() => undefined);
  const dir = info?.isDirectory() ? path : dirname(path);
  let file = path;
  if (info?.isDirectory() || basename(path) === 'tokenizer_config.json') {
    file = (await exists(join(dir, 'tokenizer.json'))) ? join(dir, 'tokenizer.json') : join(dir, 'vocab.txt');
    if (!(await exists(file)))
      throw new Error(
        `"${dir}" has neither tokenizer.json nor vocab.txt. Point at the folder of a BERT checkpoint saved with save_pretrained, or at its vocab.txt.`,
      );
  }
  const configFile = join(dir, 'tokenizer_config.json');
  const config = (await exists(configFile)) ? await readJson(configFile, 'Tokenizer config') : undefined;
  const content = file.toLowerCase().endsWith('.json')
    ? parseTokenizerJson(await readJson(file, 'Tokenizer file'), file)
    : { vocab: parseVocabTxt(await readText(file, 'Vocabulary file'), file), addedTokens: [] };
  const fromConfig = parseTokenizerConfig(config, configFile);
  const given = definedSettings(overrides);
  const tokenizer = new BertTokenizer(content.vocab, {
    ...fromConfig,
    ...given,
    specialTokens: { ...fromConfig.specialTokens, ...given.specialTokens },
  });
  const special = new Set(Object.values(tokenizer.options.specialTokens));
  const extra = content.addedTokens.filter((t) => !special.has(t));
  if (extra.length > 0)
    throw new Error(
      `"${file}" adds tokens beyond BERT's special tokens (${extra.slice(0, 5).join(', ')}); this tokenizer supports only [PAD], [UNK], [CLS], [SEP] and [MASK] as added tokens. Put the extra tokens in the vocabulary instead.`,
    );
  return tokenizer;
}
