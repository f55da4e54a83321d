// The BERT WordPiece tokenizer, token for token and offset for offset what transformers' BertTokenizerFast
// produces: added tokens -> BertNormalizer -> BertPreTokenizer -> WordPiece -> truncation -> [CLS]/[SEP] -> padding.
// Load one from files with loadBertTokenizer (tokenizerFiles.ts); train one with trainWordPiece.
import { AddedTokenMatcher, type AddedToken } from './addedTokens';
import { resolveShaping, truncate, type EncodeOptions, type Encoding, type SequenceTokens } from './encoding';
import { codePoints, normalizeBert } from './normalizer';
import { preTokenize } from './preTokenizer';
import { applyTemplate, pad, toUtf16Offsets } from './template';
import {
  BERT_DEFAULTS,
  definedSettings,
  SPECIAL_ORDER,
  type BertTokenizerOptions,
  type BertTokenizerSettings,
  type SpecialTokens,
} from './tokenizerOptions';
import { WordPieceModel } from './wordPiece';
import { decodeTokens, type DecodeOptions } from './decode';

export class BertTokenizer {
  readonly options: BertTokenizerOptions;
  /** Token strings by id: the vocabulary, then any special token it lacked. */
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  private readonly model: WordPieceModel;
  private readonly added: AddedTokenMatcher;

  constructor(vocab: readonly string[], options: BertTokenizerSettings = {}) {
    if (vocab.length === 0)
      throw new Error('The vocabulary is empty; a BERT vocabulary has one token per line.');
    const given = definedSettings(options);
    this.options = {
      ...BERT_DEFAULTS,
      ...given,
      specialTokens: { ...BERT_DEFAULTS.specialTokens, ...given.specialTokens },
    };
    const tokens = [...vocab];
    // Like a Python dict built line by line: a repeated token keeps its last id.
    this.ids = new Map(tokens.map((token, id) => [token, id]));
    const model = new Map(this.ids);
    const added: AddedToken[] = [];
    for (const role of SPECIAL_ORDER) {
      const content = this.options.specialTokens[role];
      if (added.some((a) => a.content === content)) continue;
      let id = this.ids.get(content);
      if (id === undefined) {
        id = tokens.push(content) - 1;
        this.ids.set(content, id);
      }
      added.push({ content, id, special: true });
    }
    this.vocab = tokens;
    this.model = new WordPieceModel(model, {
      unkToken: this.options.specialTokens.unk,
      continuingSubwordPrefix: this.options.continuingSubwordPrefix,
      maxInputCharsPerWord: this.options.maxInputCharsPerWord,
    });
    this.added = new AddedTokenMatcher(added);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The special tokens as tokenizer.json's `added_tokens` lists them. */
  get addedTokens(): readonly AddedToken[] {
    return this.added.tokens;
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id];
  }

  private special(role: keyof SpecialTokens): { id: number; token: string } {
    const token = this.options.specialTokens[role];
    return { id: this.ids.get(token) ?? 0, token };
  }

  /** One text's tokens, without special tokens; offsets in code points of `text`. */
  private sequence(text: string): SequenceTokens {
    const chars = codePoints(text);
    const out: SequenceTokens = [];
    let word = 0;
    for (const segment of this.added.split(chars)) {
      if (segment.kind === 'added') {
        const { id, content: token } = segment.token;
        out.push({ id, token, start: segment.start, end: segment.end, wordId: word++ });
        continue;
      }
      const normalized = normalizeBert(chars.slice(segment.start, segment.end), segment.start, this.options);
      for (const span of preTokenize(normalized.chars)) {
        for (const piece of this.model.tokenize(normalized.chars.slice(span.start, span.end))) {
          // A piece covers normalised characters [from, to]; its offsets span their original characters.
          const from = span.start + piece.start;
          const to = span.start + piece.end - 1;
          const start = normalized.starts[from] ?? 0;
          out.push({
            id: piece.id,
            token: piece.token,
            start,
            end: normalized.ends[to] ?? start,
            wordId: word,
          });
        }
        word++;
      }
    }
    return out;
  }

  /** WordPiece tokens of `text`, without [CLS]/[SEP] (BertTokenizerFast.tokenize). */
  tokenize(text: string): string[] {
    return this.sequence(text).map((t) => t.token);
  }

  /**
   * Encodes one text or a text pair (BertTokenizerFast.__call__ with return_offsets_mapping=True). An empty
   * `textPair` counts as none, as in transformers (which tests the pair for truthiness).
   */
  encode(text: string, textPair?: string, options: EncodeOptions = {}): Encoding {
    const [encoding] = this.encodeBatch([text], textPair ? [textPair] : undefined, options);
    if (encoding === undefined) throw new Error('encodeBatch returned no encoding for one text.');
    return encoding;
  }

  /** Encodes texts (and their pairs, index for index); 'longest' padding pads to the longest of the batch. */
  encodeBatch(
    texts: readonly string[],
    textPairs?: readonly string[],
    options: EncodeOptions = {},
  ): Encoding[] {
    if (textPairs !== undefined && textPairs.length !== texts.length)
      throw new Error(
        `encodeBatch got ${texts.length} texts but ${textPairs.length} text pairs; give one pair per text.`,
      );
    const shaping = resolveShaping(options, this.options.modelMaxLength);
    const addSpecial = options.addSpecialTokens ?? true;
    const specials = { cls: this.special('cls'), sep: this.special('sep') };
    const encodings = texts.map((text, i) => {
      const pairText = textPairs?.[i];
      let first = this.sequence(text);
      let second = pairText === undefined ? undefined : this.sequence(pairText);
      if (shaping.truncation !== undefined && shaping.maxLength !== undefined) {
        const added = addSpecial ? (second === undefined ? 2 : 3) : 0;
        [first, second] = truncate(first, second, shaping.maxLength, added, shaping.truncation);
      }
      const encoding = applyTemplate(first, second, specials, addSpecial);
      if (options.offsetUnit === 'utf16') toUtf16Offsets(encoding, text, pairText);
      return encoding;
    });
    const length =
      shaping.padding === 'longest'
        ? encodings.reduce((longest, e) => Math.max(longest, e.inputIds.length), 0)
        : shaping.padding === 'max_length'
          ? (shaping.maxLength ?? 0)
          : 0;
    return encodings.map((e) => pad(e, length, this.special('pad')));
  }

  /** Turns ids back into text (BertTokenizerFast.decode): "##" pieces join their word, " ," becomes ",". */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const special = new Set(this.added.tokens.filter((t) => t.special).map((t) => t.id));
    const tokens = ids.map((id) => {
      const token = this.vocab[id];
      if (token === undefined)
        throw new Error(`Cannot decode id ${id}: the vocabulary has ids 0 to ${this.vocab.length - 1}.`);
      return token;
    });
    const kept = options.skipSpecialTokens ? tokens.filter((_, i) => !special.has(ids[i] ?? -1)) : tokens;
    return decodeTokens(kept, this.options.continuingSubwordPrefix);
  }
}
