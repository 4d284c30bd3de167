// BM25 over one collection, in memory: an inverted index derived from the stored chunks (their text
// and title go through the same analyzer as at ingestion), built at the first search of a collection,
// kept current by this process's writes and rebuilt when the collection's revision moved elsewhere.
import type { ScoredId } from '../storage/index.js';
import { termCounts } from './text.js';

/** A chunk as the index sees it. */
export interface LexicalChunk {
  id: string;
  documentId: string;
  /** Title-boosted term frequencies. */
  postings: Map<string, number>;
  /** BM25 length: title-boosted term count. */
  length: number;
  /** The document's metadata (filters match it by containment). */
  metadata: Record<string, unknown>;
}

export interface Bm25Params {
  k: number;
  k1: number;
  b: number;
  /** Keep only chunks whose document metadata passes. */
  filter?: ((metadata: Record<string, unknown>) => boolean) | undefined;
}

interface Posting {
  slots: number[];
  tfs: number[];
  /** Live postings (dead slots stay in `slots` until the index is rebuilt). */
  df: number;
}

/** Title-boosted postings and BM25 length of a chunk: the one definition for ingestion and rebuilds. */
export function chunkPostings(text: string, titleTerms: Map<string, number>, titleBoost: number): { postings: Map<string, number>; length: number } {
  const postings = termCounts(text);
  let length = 0;
  for (const n of postings.values()) length += n;
  for (const [t, n] of titleTerms) {
    postings.set(t, (postings.get(t) ?? 0) + n * titleBoost);
    length += n * titleBoost;
  }
  return { postings, length };
}

export class LexicalIndex {
  private ids: string[] = [];
  private terms: string[][] = [];
  private lengths: number[] = [];
  private meta: Array<Record<string, unknown>> = [];
  private alive: boolean[] = [];
  private byDoc = new Map<string, number[]>();
  private postings = new Map<string, Posting>();
  private live = 0;
  private totalLength = 0;
  private scores = new Float64Array(0);

  constructor(public revision: string) {}

  get size(): number {
    return this.live;
  }
  /** Dead slots left by replaced documents; the owner rebuilds when they dominate. */
  get deadFraction(): number {
    return this.ids.length === 0 ? 0 : 1 - this.live / this.ids.length;
  }

  add(chunks: LexicalChunk[]): void {
    for (const c of chunks) {
      const slot = this.ids.length;
      this.ids.push(c.id);
      this.lengths.push(c.length);
      this.meta.push(c.metadata);
      this.alive.push(true);
      const ts = [...c.postings.keys()];
      this.terms.push(ts);
      for (const [t, tf] of c.postings) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = { slots: [], tfs: [], df: 0 }));
        p.slots.push(slot);
        p.tfs.push(tf);
        p.df++;
      }
      let d = this.byDoc.get(c.documentId);
      if (!d) this.byDoc.set(c.documentId, (d = []));
      d.push(slot);
      this.live++;
      this.totalLength += c.length;
    }
  }

  /** Forget every chunk of these documents. */
  removeDocuments(ids: Iterable<string>): void {
    for (const id of ids) {
      const slots = this.byDoc.get(id);
      if (!slots) continue;
      for (const s of slots) {
        if (!this.alive[s]) continue;
        this.alive[s] = false;
        for (const t of this.terms[s]!) this.postings.get(t)!.df--;
        this.terms[s] = [];
        this.live--;
        this.totalLength -= this.lengths[s]!;
      }
      this.byDoc.delete(id);
    }
  }

  /** The top `k` chunks by BM25 (Robertson idf, `ln(1 + (N - df + 0.5) / (df + 0.5))`). */
  search(queryTerms: Map<string, number>, p: Bm25Params): ScoredId[] {
    const n = this.live;
    if (n === 0 || p.k <= 0) return [];
    const avg = this.totalLength / n || 1;
    if (this.scores.length < this.ids.length) this.scores = new Float64Array(Math.max(this.ids.length, this.scores.length * 2));
    const scores = this.scores;
    const touched: number[] = [];
    for (const [t, w] of queryTerms) {
      const post = this.postings.get(t);
      if (!post || post.df === 0) continue;
      const idf = Math.log(1 + (n - post.df + 0.5) / (post.df + 0.5));
      const { slots, tfs } = post;
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        if (!this.alive[s]) continue;
        const tf = tfs[i]!;
        if (scores[s] === 0) touched.push(s);
        scores[s]! += (w * idf * tf * (p.k1 + 1)) / (tf + p.k1 * (1 - p.b + (p.b * this.lengths[s]!) / avg));
      }
    }
    let hits: ScoredId[] = [];
    for (const s of touched) {
      const score = scores[s]!;
      scores[s] = 0;
      if (score > 0 && (!p.filter || p.filter(this.meta[s]!))) hits.push({ id: this.ids[s]!, score });
    }
    hits = topK(hits, p.k);
    return hits;
  }
}

/** The `k` best by score (ties by id), without sorting everything. */
function topK(xs: ScoredId[], k: number): ScoredId[] {
  const cmp = (a: ScoredId, b: ScoredId) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  if (xs.length <= k * 4) return xs.sort(cmp).slice(0, k);
  // A cut-off from a sample of k-th scores keeps the sort small.
  let lo = Infinity;
  const sorted = xs.slice(0, k * 4).sort(cmp);
  lo = sorted[Math.min(k, sorted.length) - 1]!.score;
  const keep = sorted.slice(0, k);
  for (let i = k * 4; i < xs.length; i++) if (xs[i]!.score >= lo) keep.push(xs[i]!);
  return keep.sort(cmp).slice(0, k);
}

/** jsonb containment (`@>`): objects by key, arrays by element (order and repeats ignored), scalars by value. */
export function contains(target: unknown, filter: unknown, top = true): boolean {
  if (filter === null || typeof filter !== 'object') {
    if (top && Array.isArray(target)) return target.some((x) => x === filter); // '["a"]' @> '"a"'
    return target === filter;
  }
  if (Array.isArray(filter)) {
    if (!Array.isArray(target)) return false;
    return filter.every((f) => target.some((t) => (f !== null && typeof f === 'object' ? contains(t, f, false) : t === f)));
  }
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return false;
  const o = target as Record<string, unknown>;
  return Object.entries(filter as Record<string, unknown>).every(([key, v]) => key in o && contains(o[key], v, false));
}
