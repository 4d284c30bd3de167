// Terms of a prompt for the neighbour index: hashed word unigrams and bigrams with sublinear tf,
// read char by char (no word or bigram string is built), and a stable key per prompt.
import { createHash } from 'node:crypto';

const DIM_BITS = 20;
const MASK = (1 << DIM_BITS) - 1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Characters of a prompt its terms are read from. */
const MAX_CHARS = 20_000;

/** Term hashes of one text (repeats included), reused between calls. */
let raw = new Int32Array(1024);

const isWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isLower = (c: number) => c >= 97 && c <= 122;

/**
 * The word uni- and bigram hashes of a text (FNV-1a, folded to DIM_BITS), in `raw`; returns how
 * many. A word is what /[a-z0-9]+(?:'[a-z]+)?/g matches in the lower-cased text, read here char by
 * char so no word or bigram string is built.
 */
function hashTerms(text: string): number {
  const s = (text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text).toLowerCase();
  const n = Math.min(s.length, MAX_CHARS);
  let count = 0;
  let prev = 0;
  let first = true;
  const push = (h: number) => {
    if (count === raw.length) {
      const grown = new Int32Array(raw.length * 2);
      grown.set(raw);
      raw = grown;
    }
    raw[count++] = (h >>> 0) & MASK;
  };
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i);
    if (!isWordChar(c)) {
      i++;
      continue;
    }
    const from = i;
    let h = FNV_OFFSET;
    while (i < n && isWordChar((c = s.charCodeAt(i)))) {
      h = Math.imul(h ^ c, FNV_PRIME);
      i++;
    }
    if (i + 1 < n && s.charCodeAt(i) === 39 && isLower(s.charCodeAt(i + 1))) {
      h = Math.imul(h ^ 39, FNV_PRIME);
      i++;
      while (i < n && isLower((c = s.charCodeAt(i)))) {
        h = Math.imul(h ^ c, FNV_PRIME);
        i++;
      }
    }
    push(h);
    if (!first) {
      // The hash of `${prev} ${word}` without building the string.
      let b = Math.imul(prev ^ 32, FNV_PRIME);
      for (let j = from; j < i; j++) b = Math.imul(b ^ s.charCodeAt(j), FNV_PRIME);
      push(b);
    }
    prev = h;
    first = false;
  }
  return count;
}

/** A text's distinct terms (ascending) and their sublinear term frequencies. */
export interface Terms {
  terms: Int32Array;
  weights: Float32Array;
}

const scratch: Terms & { n: number } = { n: 0, terms: new Int32Array(1024), weights: new Float32Array(1024) };

/**
 * The distinct terms of a text (ascending) with sublinear tf (1 + ln count), in arrays reused by the
 * next call: the first `n` entries hold them (a search reads its query's terms once, so it need not
 * own them).
 */
export function scratchTermsOf(text: string): Readonly<Terms & { n: number }> {
  const count = hashTerms(text);
  const sorted = raw.subarray(0, count).sort();
  if (scratch.terms.length < count) {
    scratch.terms = new Int32Array(count);
    scratch.weights = new Float32Array(count);
  }
  const { terms, weights } = scratch;
  let d = -1;
  for (let i = 0; i < count; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      terms[++d] = sorted[i]!;
      weights[d] = 0;
    }
    weights[d] = weights[d]! + 1;
  }
  scratch.n = d + 1;
  for (let j = 0; j < scratch.n; j++) if (weights[j]! > 1) weights[j] = 1 + Math.log(weights[j]!);
  return scratch;
}

/** The distinct terms of a text with sublinear tf (1 + ln count), in arrays of their own. */
export function termsOf(text: string): Terms {
  const t = scratchTermsOf(text);
  return { terms: t.terms.slice(0, t.n), weights: t.weights.slice(0, t.n) };
}

/** Sparse term-frequency vector of a text: sublinear tf of word unigrams and bigrams (FNV-1a, folded). */
export function termVector(text: string): Map<number, number> {
  const { terms, weights } = termsOf(text);
  return new Map(Array.from(terms, (t, i) => [t, weights[i]!]));
}

/** A stable key for a prompt: one index entry collects every model's outcome on it. */
export function promptKey(text: string): string {
  return createHash('sha1').update(text.trim().toLowerCase()).digest('base64url').slice(0, 16);
}
