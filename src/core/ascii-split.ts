// The o200k_base pre-tokenizer's split of an all-ASCII text, by hand: the same pieces as its regex
// (gpt-tokenizer's O200K_TOKEN_SPLIT_REGEX, whose Unicode classes reduce to these on ASCII) at a
// fraction of the cost, since most prompts are ASCII. src/core/tokens.test.ts holds the two equal.
const UP = 1;
const LO = 2;
const DIGIT = 4;
const WS = 8;
const NL = 16;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  CLASS[c] = (c >= 65 && c <= 90 ? UP : 0) | (c >= 97 && c <= 122 ? LO : 0) | (c >= 48 && c <= 57 ? DIGIT : 0) | (c === 32 || (c >= 9 && c <= 13) ? WS : 0) | (c === 10 || c === 13 ? NL : 0);
}
const cls = (s: string, i: number) => CLASS[s.charCodeAt(i)]!;

/** Whether every character of `s` is ASCII (the split below holds only then). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}
/** Not a letter, digit, CR or LF: the optional lead character of a word piece. */
const isLead = (k: number) => (k & (UP | LO | DIGIT | NL)) === 0;
/** Not whitespace, a letter or a digit: punctuation and the like. */
const isPunct = (k: number) => (k & (UP | LO | DIGIT | WS)) === 0;

/** End of an optional contraction ('s 'd 'm 't 'll 've 're, any case) at `i`, or `i`. */
function contraction(s: string, i: number, n: number): number {
  if (i >= n || s.charCodeAt(i) !== 39 || i + 1 >= n) return i;
  const a = s.charCodeAt(i + 1) | 32;
  if (a === 115 || a === 100 || a === 109 || a === 116) return i + 2;
  if (i + 2 >= n) return i;
  const b = s.charCodeAt(i + 2) | 32;
  if ((a === 108 && b === 108) || (a === 118 && b === 101) || (a === 114 && b === 101)) return i + 3;
  return i;
}

/** End of the letter part of a word piece from `i` (upper-case run, then a lower-case run), or -1. */
function letters(s: string, i: number, n: number): number {
  let j = i;
  while (j < n && cls(s, j) & UP) j++;
  let k = j;
  while (k < n && cls(s, k) & LO) k++;
  if (k > j) return contraction(s, k, n); // [A-Z]*[a-z]+
  if (j > i) return contraction(s, j, n); // [A-Z]+[a-z]*
  return -1;
}

/** The end of the o200k pre-tokenizer piece starting at `i` of an all-ASCII text (the same as its regex). */
export function asciiPieceEnd(s: string, i: number, n: number): number {
  const k = cls(s, i);
  // [^\r\n\p{L}\p{N}]?[\p{Lu}…]*[\p{Ll}…]+'s? | [^\r\n\p{L}\p{N}]?[\p{Lu}…]+[\p{Ll}…]*'s?
  const w = isLead(k) ? (i + 1 < n ? letters(s, i + 1, n) : -1) : letters(s, i, n);
  if (w >= 0) return w;
  // \p{N}{1,3}
  if (k & DIGIT) {
    let j = i + 1;
    while (j < n && j < i + 3 && cls(s, j) & DIGIT) j++;
    return j;
  }
  // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
  const p = k === WS && s.charCodeAt(i) === 32 && i + 1 < n && isPunct(cls(s, i + 1)) ? i + 1 : isPunct(k) ? i : -1;
  if (p >= 0) {
    let j = p + 1;
    while (j < n && isPunct(cls(s, j))) j++;
    while (j < n && (cls(s, j) & NL || s.charCodeAt(j) === 47)) j++;
    return j;
  }
  // Whitespace: \s*[\r\n]+ (up to the last line break of the run), \s+(?!\S), \s+
  let j = i;
  let lastNl = -1;
  while (j < n && cls(s, j) & WS) {
    if (cls(s, j) & NL) lastNl = j;
    j++;
  }
  if (lastNl >= 0) return lastNl + 1;
  if (j === n || j - i === 1) return j;
  return j - 1;
}
