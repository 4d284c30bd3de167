// The one token counter: the bundled o200k_base tokenizer (pure JS, loaded in the background).
// Until it has loaded, a text counts about four characters per token.
//
// A text is split into the tokenizer's pre-tokenizer pieces (by hand when it is all ASCII,
// ascii-split.ts; else with the tokenizer's own regex), and each piece's count comes from a
// small cache of recent pieces, or from the tokenizer for that piece alone. Byte-pair merges never
// cross a piece, so the sum is the tokenizer's count of the whole text; the cache spares most of
// its look-ups in a 200,000-entry rank table (most of its time). Special tokens such as
// `<|endoftext|>` in a text are counted as the text they are (the tokenizer's default throws).

import { asciiPieceEnd, isAscii } from './ascii-split.js';

let counter: ((text: string) => number) | undefined;
let loading: Promise<void> | undefined;

/** Pieces whose counts are kept (the cache starts over when full), and the longest one kept. */
const CACHE_PIECES = 65_536;
const CACHE_CHARS = 32;

/** Load the tokenizer off the request path; resolves when it is ready (or failed to load). */
export function preloadTokenizer(): Promise<void> {
  loading ??= Promise.all([import('gpt-tokenizer/encoding/o200k_base'), import('gpt-tokenizer/encodingParams/constants')])
    .then(([m, c]) => {
      const asText = { disallowedSpecial: new Set<string>() };
      // No piece can hold a whole special token (they mix letters and punctuation, which the split
      // separates), so the default options never refuse one; `asText` is only the safe fallback.
      const countPiece = (p: string) => {
        try {
          return m.countTokens(p);
        } catch {
          return m.countTokens(p, asText);
        }
      };
      const split = new RegExp(c.O200K_TOKEN_SPLIT_REGEX.source, 'gu');
      const cache = new Map<string, number>();
      const count = (piece: string) => {
        if (piece.length > CACHE_CHARS) return countPiece(piece);
        let k = cache.get(piece);
        if (k === undefined) {
          if (cache.size >= CACHE_PIECES) cache.clear();
          cache.set(piece, (k = countPiece(piece)));
        }
        return k;
      };
      counter = (text) => {
        let n = 0;
        if (isAscii(text)) {
          for (let i = 0, end = 0; i < text.length; i = end) {
            end = asciiPieceEnd(text, i, text.length);
            n += count(text.slice(i, end));
          }
          return n;
        }
        split.lastIndex = 0;
        for (let match = split.exec(text); match !== null; match = split.exec(text)) n += count(match[0]);
        return n;
      };
    })
    .catch(() => undefined);
  return loading;
}

/** Tokens in `text` (about four characters per token until the tokenizer has loaded). */
export function countTokens(text: string): number {
  if (!text) return 0;
  return counter ? counter(text) : Math.ceil(text.length / 4);
}
