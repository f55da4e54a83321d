// Decoding as BertTokenizerFast does it with transformers 5: the `tokenizers` WordPiece decoder (decoders/wordpiece.rs),
// which glues "##" pieces to the previous token, puts a space before every other token and then tidies each token on
// its own (" ," -> ","). Because the tidying is per token, "don ' t" stays as it is; transformers 5 does not run its
// older whole-string clean_up_tokenization by default.

export interface DecodeOptions {
  /** Drop [CLS], [SEP], [PAD], [MASK] and [UNK] (transformers counts the unknown token as special). */
  skipSpecialTokens?: boolean;
}

function cleanup(token: string): string {
  return token
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** Joins tokens into text; special tokens, if unwanted, are already filtered out. */
export function decodeTokens(tokens: readonly string[], prefix: string): string {
  let out = '';
  tokens.forEach((token, i) => {
    let piece = token;
    if (i !== 0) piece = token.startsWith(prefix) ? token.slice(prefix.length) : ` ${token}`;
    out += cleanup(piece);
  });
  return out;
}
