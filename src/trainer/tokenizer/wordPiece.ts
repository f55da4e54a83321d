// The WordPiece model (Schuster & Nakajima 2012, as BERT uses it; the crate's models/wordpiece): greedy
// longest-match-first over one word, continuation pieces prefixed with "##", and the whole word becomes the unknown
// token when it is too long or any part of it matches nothing.
import { fromCodePoints } from './normalizer';

/** A piece of one word: its id, its vocabulary string, and its half-open code point range within the word. */
export interface WordPieceToken {
  id: number;
  token: string;
  start: number;
  end: number;
}

export interface WordPieceOptions {
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

export class WordPieceModel {
  /** Longest vocabulary entry in code points, prefix excluded: no longer piece can match, so none is tried. */
  private readonly maxPieceLength: number;

  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    readonly options: WordPieceOptions,
  ) {
    let longest = 1;
    for (const token of vocab.keys()) {
      const body = token.startsWith(options.continuingSubwordPrefix)
        ? token.slice(options.continuingSubwordPrefix.length)
        : token;
      longest = Math.max(longest, Array.from(body).length);
    }
    this.maxPieceLength = longest;
  }

  private unknown(length: number): WordPieceToken[] {
    const id = this.vocab.get(this.options.unkToken);
    if (id === undefined)
      throw new Error(
        `The unknown token "${this.options.unkToken}" is not in the vocabulary, so a word it cannot split has no id. Add "${this.options.unkToken}" to vocab.txt (BERT puts it at id 100, trained vocabularies at id 1) or set unk_token in tokenizer_config.json.`,
      );
    return [{ id, token: this.options.unkToken, start: 0, end: length }];
  }

  /** Splits one word (normalised code points) into pieces. */
  tokenize(word: readonly number[]): WordPieceToken[] {
    if (word.length > this.options.maxInputCharsPerWord) return this.unknown(word.length);
    const pieces: WordPieceToken[] = [];
    let start = 0;
    while (start < word.length) {
      let end = Math.min(word.length, start + this.maxPieceLength);
      let found: WordPieceToken | undefined;
      while (start < end) {
        const body = fromCodePoints(word, start, end);
        const token = start > 0 ? this.options.continuingSubwordPrefix + body : body;
        const id = this.vocab.get(token);
        if (id !== undefined) {
          found = { id, token, start, end };
          break;
        }
        end--;
      }
      if (found === undefined) return this.unknown(word.length);
      pieces.push(found);
      start = end;
    }
    return pieces;
  }
}
