// Nearest neighbours over past prompts with known outcomes: hashed word uni/bigram TF-IDF vectors and
// an inverted index, bounded per project. No hosted embedding model: a prompt is routed on what
// similar prompts showed about each model.
//
// The search is bounded so a decision stays well under a millisecond at 20,000 prompts: query terms
// are scanned rarest first and scanning stops after `scanBudget` postings (default 12,000) (the common terms left
// over carry little idf weight); terms in over a quarter of the prompts are never scanned. Scores
// accumulate in a reused typed array and the top k come from a small heap, so a call allocates
// only its answer. `exactNearest` is the brute-force reference the tests hold it to.
import { createHash } from 'node:crypto';
import { DriftMeter, type DriftEstimate, type DriftOptions } from './drift.js';

const DIM_BITS = 20;
const MASK = (1 << DIM_BITS) - 1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

const fnv = (h: number, s: string): number => {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
};

/** Sparse term-frequency vector of a text: sublinear tf of word unigrams and bigrams (FNV-1a, folded). */
export function termVector(text: string): Map<number, number> {
  const words = text.toLowerCase().slice(0, 20_000).match(WORD) ?? [];
  const tf = new Map<number, number>();
  let prev = '';
  for (const w of words) {
    const h = (fnv(FNV_OFFSET, w) >>> 0) & MASK;
    tf.set(h, (tf.get(h) ?? 0) + 1);
    if (prev) {
      // The hash of `${prev} ${w}` without building the string.
      const b = (fnv(Math.imul(fnv(FNV_OFFSET, prev) ^ 32, FNV_PRIME), w) >>> 0) & MASK;
      tf.set(b, (tf.get(b) ?? 0) + 1);
    }
    prev = w;
  }
  for (const [k, v] of tf) if (v > 1) tf.set(k, 1 + Math.log(v));
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
  terms: Int32Array;
  weights: Float32Array;
  norm: number;
  taskType: string;
  /** Per model, the sum and count of quality scores; rebuilt from `byTrace`. */
  outcomes: Map<string, ModelOutcome>;
  /** The same as parallel arrays (model, mean score), for the per-request pass over neighbours. */
  outcomeModels: string[];
  outcomeMeans: Float64Array;
  /** trace id × metric → model and score, so a re-delivered evaluation replaces instead of adding. */
  byTrace: Map<string, { model: string; score: number }>;
  seq: number;
  dead: boolean;
}

export interface Neighbour {
  entry: Entry;
  sim: number;
}

/** A growable posting list: entry slots and their term weights. */
interface Posting {
  idx: Int32Array;
  w: Float32Array;
  len: number;
}

export interface PromptIndexOptions {
  /** Postings scanned per query at most (rarest terms first). */
  scanBudget?: number;
  /** Outcomes the drift estimate's short and long means average over (drift.ts). */
  drift?: DriftOptions;
}

/** Neighbours consulted to predict an arriving outcome (for the drift estimate). */
const DRIFT_K = 64;

/** A bounded inverted index of prompts (oldest evicted first). */
export class PromptIndex {
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private postings = new Map<number, Posting>();
  private df = new Map<number, number>();
  private seq = 0;
  private dead = 0;
  /** Per slot: 1 / norm, 0 when the entry is dead (so the candidate loop never touches an entry object). */
  private invNorm = new Float64Array(64);
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  private readonly scanBudget: number;
  /**
   * Per model (and model × task type), how its newest outcomes differ from what its neighbours' past
   * outcomes predicted (drift.ts): the index never forgets, so without this a model that got worse
   * keeps its old record.
   */
  private readonly drifts: DriftMeter;

  constructor(
    private readonly maxEntries: number,
    opts: PromptIndexOptions = {},
  ) {
    this.scanBudget = opts.scanBudget ?? 12_000;
    this.drifts = new DriftMeter(opts.drift);
  }

  /** How much a model's quality (for a task type) has moved against its record (negative: worse). */
  drift(model: string, taskType?: string): number {
    return this.drifts.estimate(model, taskType).mean;
  }

  /** The drift with the shift of the lower bound (drift.ts). */
  driftEstimate(model: string, taskType?: string): DriftEstimate {
    return this.drifts.estimate(model, taskType);
  }

  /** The raw short/long means behind a model's drift (for benches and tests). */
  driftState(model: string, taskType?: string): { short: number; long: number; n: number } | undefined {
    return this.drifts.state(model, taskType);
  }

  private observeDrift(text: string, self: Entry | undefined, model: string, score: number, taskType: string): void {
    let a = 0;
    let b = 0;
    for (const n of this.nearest(text, DRIFT_K)) {
      if (n.entry === self || n.sim <= 0) continue;
      const i = n.entry.outcomeModels.indexOf(model);
      if (i < 0) continue;
      const w = Math.sqrt(n.sim);
      a += w * n.entry.outcomeMeans[i]!;
      b += w * (1 - n.entry.outcomeMeans[i]!);
    }
    // A prediction from fewer neighbours is mostly noise (and the same few would predict every new outcome).
    if (a + b < 3) return;
    this.drifts.observe(model, taskType, score - a / (a + b));
  }

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
    const traceKey = `${o.traceId}\u0000${o.metric}`;
    if (this.byKey.size > 0 && !e?.byTrace.has(traceKey)) this.observeDrift(text, e, o.model, o.score, o.taskType);
    if (!e) {
      const tv = termVector(text);
      const terms = Int32Array.from(tv.keys());
      const weights = Float32Array.from(tv.values());
      for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      let sq = 0;
      for (let i = 0; i < terms.length; i++) sq += (weights[i]! * this.idf(terms[i]!)) ** 2;
      e = { key, terms, weights, norm: Math.sqrt(sq) || 1, taskType: o.taskType, outcomes: new Map(), outcomeModels: [], outcomeMeans: new Float64Array(0), byTrace: new Map(), seq: this.seq++, dead: false };
      const idx = this.entries.length;
      this.entries.push(e);
      this.byKey.set(key, e);
      this.post(idx, e);
      if (this.byKey.size > this.maxEntries) this.evictOldest();
    }
    e.byTrace.set(traceKey, { model: o.model, score: o.score });
    e.outcomes = new Map();
    for (const { model, score } of e.byTrace.values()) {
      const m = e.outcomes.get(model) ?? { sum: 0, n: 0 };
      m.sum += score;
      m.n += 1;
      e.outcomes.set(model, m);
    }
    e.outcomeModels = [...e.outcomes.keys()];
    e.outcomeMeans = Float64Array.from(e.outcomes.values(), (m) => m.sum / m.n);
  }

  private evictOldest(): void {
    const slot = this.entries.findIndex((e) => !e.dead);
    if (slot < 0) return;
    const oldest = this.entries[slot]!;
    oldest.dead = true;
    this.invNorm[slot] = 0;
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
    this.invNorm.fill(0);
    this.dead = 0;
    for (const e of live) {
      const idx = this.entries.length;
      this.entries.push(e);
      this.byKey.set(e.key, e);
      this.post(idx, e);
    }
  }

  private post(idx: number, e: Entry): void {
    if (idx >= this.invNorm.length) {
      const grown = new Float64Array(this.invNorm.length * 2);
      grown.set(this.invNorm);
      this.invNorm = grown;
    }
    this.invNorm[idx] = 1 / e.norm;
    for (let i = 0; i < e.terms.length; i++) {
      const t = e.terms[i]!;
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = { idx: new Int32Array(4), w: new Float32Array(4), len: 0 }));
      if (p.len === p.idx.length) {
        const idx2 = new Int32Array(p.len * 2);
        idx2.set(p.idx);
        const w2 = new Float32Array(p.len * 2);
        w2.set(p.w);
        [p.idx, p.w] = [idx2, w2];
      }
      p.idx[p.len] = idx;
      p.w[p.len++] = e.weights[i]!;
    }
  }

  /** The `k` most similar live prompts (cosine over idf-weighted vectors), best first; bounded scan. */
  nearest(text: string, k: number): Neighbour[] {
    if (this.byKey.size === 0 || k <= 0) return [];
    const q = termVector(text);
    const n = this.byKey.size;
    // Terms in over a quarter of the prompts say little and cost the most to scan.
    const common = Math.max(50, n / 4);
    const scan: Array<{ p: Posting; qw: number; df: number }> = [];
    let qnorm = 0;
    for (const [t, w] of q) {
      const idf = this.idf(t);
      qnorm += (w * idf) ** 2;
      const df = this.df.get(t) ?? 0;
      if (df === 0 || df > common) continue;
      const p = this.postings.get(t);
      if (p) scan.push({ p, qw: w * idf * idf, df });
    }
    qnorm = Math.sqrt(qnorm) || 1;
    scan.sort((a, b) => a.df - b.df);
    if (this.scores.length < this.entries.length) {
      this.scores = new Float64Array(this.entries.length * 2);
      this.touched = new Int32Array(this.entries.length * 2);
    }
    const scores = this.scores;
    const touched = this.touched;
    let nt = 0;
    let budget = this.scanBudget;
    for (const { p, qw } of scan) {
      if (budget <= 0) break;
      budget -= p.len;
      const { idx, w, len } = p;
      for (let i = 0; i < len; i++) {
        const j = idx[i]!;
        if (scores[j] === 0) touched[nt++] = j;
        scores[j] = scores[j]! + qw * w[i]!;
      }
    }
    const heap = new TopK(k);
    const inv = this.invNorm;
    const qinv = 1 / qnorm;
    for (let i = 0; i < nt; i++) {
      const j = touched[i]!;
      const s = scores[j]! * inv[j]! * qinv;
      scores[j] = 0;
      if (s > 0) heap.push(j, s);
    }
    return heap.sorted().map(([j, sim]) => ({ entry: this.entries[j]!, sim }));
  }

  /** The exact answer `nearest` approximates: every live prompt scored on every shared term. */
  exactNearest(text: string, k: number): Neighbour[] {
    const q = termVector(text);
    let qnorm = 0;
    const qw = new Map<number, number>();
    for (const [t, w] of q) {
      const idf = this.idf(t);
      qnorm += (w * idf) ** 2;
      qw.set(t, w * idf * idf);
    }
    qnorm = Math.sqrt(qnorm) || 1;
    const heap = new TopK(k);
    this.entries.forEach((e, j) => {
      if (e.dead) return;
      let s = 0;
      for (let i = 0; i < e.terms.length; i++) s += (qw.get(e.terms[i]!) ?? 0) * e.weights[i]!;
      if (s > 0) heap.push(j, s / (qnorm * e.norm));
    });
    return heap.sorted().map(([j, sim]) => ({ entry: this.entries[j]!, sim }));
  }
}

/** The k largest (slot, score) pairs seen: a binary min-heap on score. */
class TopK {
  private readonly idx: Int32Array;
  private readonly val: Float64Array;
  private n = 0;
  constructor(private readonly k: number) {
    this.idx = new Int32Array(k);
    this.val = new Float64Array(k);
  }
  push(j: number, v: number): void {
    const { idx, val } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (val[parent]! <= v) break;
        idx[i] = idx[parent]!;
        val[i] = val[parent]!;
        i = parent;
      }
      idx[i] = j;
      val[i] = v;
      return;
    }
    if (v <= val[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) break;
      const r = l + 1;
      const c = r < this.n && val[r]! < val[l]! ? r : l;
      if (val[c]! >= v) break;
      idx[i] = idx[c]!;
      val[i] = val[c]!;
      i = c;
    }
    idx[i] = j;
    val[i] = v;
  }
  /** Best first. */
  sorted(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.n; i++) out.push([this.idx[i]!, this.val[i]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}
