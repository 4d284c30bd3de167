// Structure-aware chunking. The text is cut recursively at the strongest boundary that makes the
// parts fit (Markdown headings, then blank lines outside code fences, then lines, sentences, words,
// and as a last resort a token-exact cut), the parts are packed greedily up to the token budget, and
// each chunk after the first starts `overlap` tokens (at most) before where its own text begins.
// Chunks are character ranges of the original text, so nothing is rewritten and nothing is lost.
import { createHash } from 'node:crypto';
import type { Tokenizer } from './tokens.js';

export interface ChunkOptions {
  /** Token budget of a chunk, overlap included. */
  maxTokens: number;
  /** Tokens repeated from the end of the previous chunk (at most). */
  overlap: number;
}

export interface Chunk {
  /** Stable: a hash of the document id, the position and the text. */
  id: string;
  position: number;
  /** Where the chunk starts in the document (overlap included). */
  start: number;
  /** Where the chunk's own text (after the overlap) starts. */
  ownStart: number;
  end: number;
  text: string;
  tokens: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { maxTokens: 512, overlap: 64 };

interface Range {
  start: number;
  end: number;
  /** A heading begins here: the packer starts a new chunk. */
  heading: boolean;
}

const HEADING = /\n(?=#{1,6}[ \t])/g;
const HEADING_TEST = /\n#{1,6}[ \t]/;
const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;
const SEPARATORS: RegExp[] = [/\n[ \t]*\n/g, /\n/g, /(?<=[.!?;:])[ \t]+(?=\S)/g, /[ \t]+(?=\S)/g];

/** Split positions of `re` in text[start, end): the index just after each match (or before, for lookahead). */
function cuts(text: string, r: Range, re: RegExp, fences: Array<[number, number]>): number[] {
  const out: number[] = [];
  const part = text.slice(r.start, r.end);
  for (const m of part.matchAll(re)) {
    const at = r.start + m.index + m[0].length;
    if (at <= r.start || at >= r.end) continue;
    if (fences.some(([a, b]) => at > a && at < b)) continue; // never inside a code block
    out.push(at);
  }
  return out;
}

function splitAt(r: Range, at: number[], heading: boolean): Range[] {
  const out: Range[] = [];
  let s = r.start;
  for (const a of at) {
    out.push({ start: s, end: a, heading: out.length === 0 ? r.heading : heading });
    s = a;
  }
  out.push({ start: s, end: r.end, heading: out.length === 0 ? r.heading : heading });
  return out;
}

/** Largest end e in (s, limit] with tokens(text[s, e)) <= budget (at least one character). */
function fitEnd(text: string, tok: Tokenizer, s: number, limit: number, budget: number): number {
  let lo = s + 1;
  let hi = limit;
  if (tok.count(text.slice(s, hi)) <= budget) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tok.count(text.slice(s, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  // Do not cut a surrogate pair in half.
  if (lo < limit && /[\uD800-\uDBFF]/.test(text[lo - 1] ?? '')) lo = lo + 1 <= limit ? lo + 1 : lo - 1;
  return Math.max(s + 1, lo);
}

function pieces(text: string, tok: Tokenizer, r: Range, level: number, budget: number, fences: Array<[number, number]>): Range[] {
  if (tok.count(text.slice(r.start, r.end)) <= budget) return [r];
  for (let l = level; l < SEPARATORS.length; l++) {
    const at = cuts(text, r, SEPARATORS[l]!, fences);
    if (at.length === 0) continue;
    return splitAt(r, at, false).flatMap((p) => pieces(text, tok, p, l + 1, budget, fences));
  }
  const out: Range[] = [];
  for (let s = r.start; s < r.end; ) {
    const e = fitEnd(text, tok, s, r.end, budget);
    out.push({ start: s, end: e, heading: out.length === 0 ? r.heading : false });
    s = e;
  }
  return out;
}

/** Stable chunk id: the same document, position and text always give the same id. */
export function chunkId(documentId: string, position: number, text: string): string {
  return createHash('sha256').update(`${documentId}\u0000${position}\u0000${text}`).digest('hex').slice(0, 32);
}

/** Cut `text` into chunks (see the file comment); an empty text gives no chunks. */
export function chunkText(documentId: string, text: string, tok: Tokenizer, opts: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  if (text.length === 0) return [];
  const overlap = Math.max(0, Math.min(opts.overlap, Math.floor(opts.maxTokens / 2)));
  const own = Math.max(1, opts.maxTokens - overlap);
  const total = tok.count(text);
  // Most documents fit whole: one count, one chunk (a heading-free text needs no structure pass).
  if (total <= own && !HEADING_TEST.test(text)) return [{ id: chunkId(documentId, 0, text), position: 0, start: 0, ownStart: 0, end: text.length, text, tokens: total }];
  const fences: Array<[number, number]> = [...text.matchAll(FENCE)].map((m) => [m.index, m.index + m[0].length]);
  const whole: Range = { start: 0, end: text.length, heading: false };
  const sections = splitAt(whole, cuts(text, whole, HEADING, fences), true);
  const parts = sections.flatMap((s) => pieces(text, tok, s, 0, own, fences));

  // Pack consecutive parts up to the budget; a heading starts a new chunk. The sum of the parts'
  // counts guides the packing; each chunk is then counted exactly and gives back parts if over.
  const counts = parts.map((p) => tok.count(text.slice(p.start, p.end)));
  const spans: Array<[number, number]> = [];
  let i = 0;
  while (i < parts.length) {
    let j = i + 1;
    let sum = counts[i]!;
    while (j < parts.length && !parts[j]!.heading && sum + counts[j]! <= own) sum += counts[j++]!;
    while (j > i + 1 && tok.count(text.slice(parts[i]!.start, parts[j - 1]!.end)) > own) j--;
    spans.push([parts[i]!.start, parts[j - 1]!.end]);
    i = j;
  }

  return spans.map(([ownStart, end], position) => {
    let start = ownStart;
    if (position > 0 && overlap > 0) {
      const prev = spans[position - 1]![0];
      // Earliest start in the previous chunk whose tail fits the overlap, moved to a word start.
      let lo = prev;
      let hi = ownStart;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tok.count(text.slice(mid, ownStart)) <= overlap) hi = mid;
        else lo = mid + 1;
      }
      start = lo;
      const nextWord = (from: number) => {
        const ws = text.slice(from, ownStart).search(/\s/);
        return ws === -1 ? ownStart : from + ws + 1;
      };
      if (start > prev && start < ownStart && /\S/.test(text[start - 1]!)) start = nextWord(start);
      // Token counts are not monotone in the start (a leading space merges into a token): make sure.
      while (start < ownStart && tok.count(text.slice(start, ownStart)) > overlap) start = nextWord(start);
    }
    const t = text.slice(start, end);
    return { id: chunkId(documentId, position, t), position, start, ownStart, end, text: t, tokens: tok.count(t) };
  });
}
