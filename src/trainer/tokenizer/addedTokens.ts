// Added tokens ([CLS], [SEP], [MASK], ...) written in the input text are matched before normalisation, as the
// crate's AddedVocabulary does for tokens with `normalized: false`: leftmost match, longest first, even inside a word
// ("hello[MASK]world" -> hello, [MASK], world).

/** A token matched verbatim in the input (tokenizer.json `added_tokens`). */
export interface AddedToken {
  content: string;
  id: number;
  /** Special tokens are dropped by `decode(..., { skipSpecialTokens: true })`. */
  special: boolean;
}

export type Segment =
  | { kind: 'added'; token: AddedToken; start: number; end: number }
  | { kind: 'text'; start: number; end: number };

interface Candidate {
  token: AddedToken;
  chars: number[];
}

export class AddedTokenMatcher {
  /** Candidates by first code point, longest first. */
  private readonly byFirst = new Map<number, Candidate[]>();

  constructor(readonly tokens: readonly AddedToken[]) {
    for (const token of tokens) {
      const chars = Array.from(token.content, (c) => c.codePointAt(0) ?? 0);
      const first = chars[0];
      if (first === undefined) continue;
      const list = this.byFirst.get(first) ?? [];
      list.push({ token, chars });
      list.sort((a, b) => b.chars.length - a.chars.length);
      this.byFirst.set(first, list);
    }
  }

  /** Splits code points into text runs and added-token matches, in order; offsets are code point indices. */
  split(chars: readonly number[]): Segment[] {
    const segments: Segment[] = [];
    let textStart = 0;
    let i = 0;
    while (i < chars.length) {
      const match = this.byFirst
        .get(chars[i] ?? -1)
        ?.find((c) => c.chars.every((cp, k) => chars[i + k] === cp));
      if (match === undefined) {
        i++;
        continue;
      }
      if (textStart < i) segments.push({ kind: 'text', start: textStart, end: i });
      segments.push({ kind: 'added', token: match.token, start: i, end: i + match.chars.length });
      i += match.chars.length;
      textStart = i;
    }
    if (textStart < chars.length) segments.push({ kind: 'text', start: textStart, end: chars.length });
    return segments;
  }
}
