// Nearest neighbours over past prompts with known outcomes: hashed word uni/bigram TF-IDF vectors and
// an inverted index, bounded per project. No hosted embedding model: a prompt is routed on what
// similar prompts showed about each model.
import { createHash } from 'node:crypto';

const DIM_BITS = 20;
const MASK = (1 << DIM_BITS) - 1;

/** FNV-1a over a string, folded to the vector's dimension. */
function hashTerm(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

/** Sparse term-frequency vector of a text: sublinear tf of word unigrams and bigrams. */
export function termVector(text: string): Map<number, number> {
  const words = text.toLowerCase().slice(0, 20_000).match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? [];
  const tf = new Map<number, number>();
  const add = (t: string) => {
    const h = hashTerm(t);
    tf.set(h, (tf.get(h) ?? 0) + 1);
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i]!);
    if (i > 0) add(`${words[i - 1]!} ${words[i]!}`);
  }
  for (const [k, v] of tf) tf.set(k, 1 + Math.log(v));
  return tf;
}

/** A stable key for a prompt: one index entry collects every model's outcome on it. */
export function promptKey(text: string): string {
  return createHash('sha1').update(text.trim().toLowerCase()).digest('base64url').slice(0, 16);
}

/** What one model did on one prompt (scores are 0..1). */
export interface ModelOutcome {
  sum: number;
  n: number;
}

export interface Entry {
  key: string;
  terms: number[];
  weights: number[];
  norm: number;
  taskType: string;
  /** Per model, the sum and count of quality scores; rebuilt from `byTrace`. */
  outcomes: Map<string, ModelOutcome>;
  /** trace id × metric → model and score, so a re-delivered evaluation replaces instead of adding. */
  byTrace: Map<string, { model: string; score: number }>;
  seq: number;
  dead: boolean;
}

export interface Neighbour {
  entry: Entry;
  sim: number;
}

/** A bounded inverted index of prompts (oldest evicted first). */
export class PromptIndex {
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private postings = new Map<number, { idx: number[]; w: number[] }>();
  private df = new Map<number, number>();
  private seq = 0;
  private dead = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.byKey.size;
  }

  private idf(t: number): number {
    return Math.log(1 + (this.byKey.size + 1) / ((this.df.get(t) ?? 0) + 1));
  }

  /** Record a scored outcome of `model` on `text`. */
  add(text: string, o: { traceId: string; metric: string; model: string; score: number; taskType: string }): void {
    const key = promptKey(text);
    let e = this.byKey.get(key);
    if (!e) {
      const tv = termVector(text);
      const terms = [...tv.keys()];
      const weights = terms.map((t) => tv.get(t)!);
      for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      const norm = Math.sqrt(terms.reduce((s, t, i) => s + (weights[i]! * this.idf(t)) ** 2, 0)) || 1;
      e = { key, terms, weights, norm, taskType: o.taskType, outcomes: new Map(), byTrace: new Map(), seq: this.seq++, dead: false };
      const idx = this.entries.length;
      this.entries.push(e);
      this.byKey.set(key, e);
      this.post(idx, e);
      if (this.byKey.size > this.maxEntries) this.evictOldest();
    }
    e.byTrace.set(`${o.traceId}\u0000${o.metric}`, { model: o.model, score: o.score });
    e.outcomes = new Map();
    for (const { model, score } of e.byTrace.values()) {
      const m = e.outcomes.get(model) ?? { sum: 0, n: 0 };
      m.sum += score;
      m.n += 1;
      e.outcomes.set(model, m);
    }
  }

  private evictOldest(): void {
    const oldest = this.entries.find((e) => !e.dead);
    if (!oldest) return;
    oldest.dead = true;
    this.byKey.delete(oldest.key);
    for (const t of oldest.terms) this.df.set(t, Math.max(0, (this.df.get(t) ?? 1) - 1));
    this.dead++;
    if (this.dead > this.entries.length / 4) this.compact();
  }

  private compact(): void {
    const live = this.entries.filter((e) => !e.dead);
    this.entries = [];
    this.byKey.clear();
    this.postings.clear();
    this.dead = 0;
    for (const e of live) {
      const idx = this.entries.length;
      this.entries.push(e);
      this.byKey.set(e.key, e);
      this.post(idx, e);
    }
  }

  private post(idx: number, e: Entry): void {
    e.terms.forEach((t, i) => {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = { idx: [], w: [] }));
      p.idx.push(idx);
      p.w.push(e.weights[i]!);
    });
  }

  /** The `k` most similar live prompts (cosine over idf-weighted vectors), best first. */
  nearest(text: string, k: number): Neighbour[] {
    if (this.byKey.size === 0) return [];
    const q = termVector(text);
    const n = this.byKey.size;
    // Terms in over a quarter of the prompts say little and cost the most to scan.
    const common = Math.max(50, n / 4);
    const scores = new Map<number, number>();
    let qnorm = 0;
    for (const [t, w] of q) {
      const idf = this.idf(t);
      qnorm += (w * idf) ** 2;
      const df = this.df.get(t) ?? 0;
      if (df === 0 || df > common) continue;
      const p = this.postings.get(t);
      if (!p) continue;
      const qw = w * idf * idf;
      for (let i = 0; i < p.idx.length; i++) {
        const idx = p.idx[i]!;
        scores.set(idx, (scores.get(idx) ?? 0) + qw * p.w[i]!);
      }
    }
    qnorm = Math.sqrt(qnorm) || 1;
    const top: Neighbour[] = [];
    for (const [idx, s] of scores) {
      const e = this.entries[idx]!;
      if (e.dead) continue;
      const sim = s / (qnorm * e.norm);
      if (top.length < k) {
        top.push({ entry: e, sim });
        if (top.length === k) top.sort((a, b) => b.sim - a.sim);
      } else if (sim > top[k - 1]!.sim) {
        top[k - 1] = { entry: e, sim };
        for (let i = k - 1; i > 0 && top[i]!.sim > top[i - 1]!.sim; i--) [top[i], top[i - 1]] = [top[i - 1]!, top[i]!];
      }
    }
    return top.length < k ? top.sort((a, b) => b.sim - a.sim) : top;
  }
}
