// Trains a WordPiece vocabulary the way Hugging Face's BertWordPieceTokenizer does (tokenizers' WordPieceTrainer,
// which runs the BPE trainer with a "##" continuation prefix and keeps its vocabulary): count the normalised words,
// take the alphabet, then repeatedly merge the most frequent adjacent pair until the vocabulary is full.
// Vocabulary order: special tokens, the alphabet by code point, its "##" forms by code point, then merges.
import { BertTokenizer } from './bertTokenizer';
import { learnMerges, type GrowingVocabulary, type TrainingWord } from './learnMerges';
import { codePoints, fromCodePoints, normalizeBert, type BertNormalizerOptions } from './normalizer';
import { preTokenize } from './preTokenizer';

export interface WordPieceTrainingOptions extends BertNormalizerOptions {
  /** Largest vocabulary, special tokens included. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged. */
  minFrequency: number;
  /** Keep at most this many distinct characters (the most frequent); the rest of a word's characters are skipped. */
  limitAlphabet: number;
  /** Characters kept whatever their frequency. */
  initialAlphabet: readonly string[];
  /** Placed first, in this order. The tokenizer finds [UNK], [CLS], [SEP], [PAD] and [MASK] by these names. */
  specialTokens: readonly string[];
  continuingSubwordPrefix: string;
  /** Written to tokenizer_config.json as model_max_length. */
  modelMaxLength: number;
}

/** BertWordPieceTokenizer.train's defaults (vocab 30000, min frequency 2, alphabet 1000, lowercase). */
export const TRAINING_DEFAULTS: WordPieceTrainingOptions = {
  cleanText: true,
  handleChineseChars: true,
  stripAccents: undefined,
  lowercase: true,
  vocabSize: 30000,
  minFrequency: 2,
  limitAlphabet: 1000,
  initialAlphabet: [],
  specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
  continuingSubwordPrefix: '##',
  modelMaxLength: 512,
};

/** Normalised, pre-tokenised words of the corpus with their counts (the trainer's first pass). */
export function countWords(lines: Iterable<string>, options: BertNormalizerOptions): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const { chars } = normalizeBert(codePoints(line), 0, options);
    for (const span of preTokenize(chars)) {
      const word = fromCodePoints(chars, span.start, span.end);
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** The kept characters, by code point: all of them, or the `limit` most frequent (ties keep the lower code point). */
function alphabetOf(counts: ReadonlyMap<string, number>, options: WordPieceTrainingOptions): number[] {
  const frequency = new Map<number, number>();
  for (const [word, count] of counts)
    for (const cp of codePoints(word)) frequency.set(cp, (frequency.get(cp) ?? 0) + count);
  for (const cp of codePoints(options.initialAlphabet.join(''))) frequency.set(cp, Number.MAX_SAFE_INTEGER);
  let kept = [...frequency.entries()];
  if (kept.length > options.limitAlphabet) {
    kept.sort((x, y) => x[1] - y[1] || y[0] - x[0]);
    kept = kept.slice(kept.length - options.limitAlphabet);
  }
  return kept.map(([cp]) => cp).sort((x, y) => x - y);
}

function growingVocabulary(): GrowingVocabulary {
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  return {
    tokens,
    add(token) {
      let id = ids.get(token);
      if (id === undefined) {
        id = tokens.push(token) - 1;
        ids.set(token, id);
      }
      return id;
    },
  };
}

/** Trains a vocabulary on `corpusLines` (one text a line) and returns a tokenizer that uses it. */
export function trainWordPiece(
  corpusLines: Iterable<string>,
  settings: Partial<WordPieceTrainingOptions> = {},
): BertTokenizer {
  const options: WordPieceTrainingOptions = { ...TRAINING_DEFAULTS, ...settings };
  const prefix = options.continuingSubwordPrefix;
  const vocab = growingVocabulary();
  for (const token of options.specialTokens) vocab.add(token);

  const counts = countWords(corpusLines, options);
  const alphabet = alphabetOf(counts, options);
  const inAlphabet = new Set(alphabet);
  for (const cp of alphabet) vocab.add(String.fromCodePoint(cp));
  // "##" forms of the characters that occur after a word's first character, by code point (the crate adds them
  // in hash-map order, which differs from run to run; this is the deterministic equivalent).
  const continued = new Set<number>();
  for (const word of counts.keys())
    for (const cp of codePoints(word).slice(1)) if (inAlphabet.has(cp)) continued.add(cp);
  for (const cp of [...continued].sort((x, y) => x - y)) vocab.add(prefix + String.fromCodePoint(cp));
  if (vocab.tokens.length > options.vocabSize)
    throw new Error(
      `vocabSize ${options.vocabSize} is smaller than the ${vocab.tokens.length} tokens the corpus needs before any merge (${options.specialTokens.length} special, ${alphabet.length} characters, ${continued.size} "${prefix}" continuations). Raise vocabSize, or lower limitAlphabet to keep fewer characters.`,
    );

  // Words as symbol ids; a character outside the alphabet is skipped, as the crate does.
  const words: TrainingWord[] = [...counts].map(([word, count]) => ({
    symbols: codePoints(word)
      .map((cp, i) => (inAlphabet.has(cp) ? vocab.add((i > 0 ? prefix : '') + String.fromCodePoint(cp)) : -1))
      .filter((id) => id >= 0),
    count,
  }));
  learnMerges(words, vocab, options);

  return new BertTokenizer(vocab.tokens, {
    cleanText: options.cleanText,
    handleChineseChars: options.handleChineseChars,
    stripAccents: options.stripAccents,
    lowercase: options.lowercase,
    continuingSubwordPrefix: prefix,
    modelMaxLength: options.modelMaxLength,
  });
}
