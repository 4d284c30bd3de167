// Nearest neighbours over past prompts with known outcomes: hashed word uni/bigram TF-IDF vectors and
// an inverted index, bounded per project. No hosted embedding model: a prompt is routed on what
// similar prompts showed about each model.
//
// The search is bounded so a decision stays well under a millisecond at 20,000 prompts: query terms
// are scanned rarest first and scanning stops after `scanBudget` postings (default 12,000) (the
// common terms left over carry little idf weight); terms in over a quarter of the prompts are never
// scanned. Postings sit in one flat pool (postings.ts), scores accumulate in a reused typed array,
// the top k come from a reused heap (topk.ts) and the answer is a pair of reused typed arrays, so a
// search allocates only the query's terms. Outcomes are kept per model slot, so the evidence for
// every candidate comes from one pass over the neighbours. `exactNearest` is the brute-force
// reference the tests hold the search to.
import { DriftMeter, type DriftEstimate, type DriftOptions } from './drift.js';
import { SlotOutcomes, TermTable } from './postings.js';
import { selectBest, TopK } from './topk.js';
import { promptKey, scratchTermsOf, termsOf } from './terms.js';

export { promptKey, termsOf, termVector, type Terms } from './terms.js';

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
  /** trace id × metric → model and score, so a re-delivered evaluation replaces instead of adding. */
  byTrace: Map<string, { model: string; score: number }>;
  seq: number;
  /** Where the entry sits in the index (changes when the index compacts). */
  slot: number;
  dead: boolean;
}

export interface Neighbour {
  entry: Entry;
  sim: number;
}

/** One search's neighbours, best first, as parallel arrays (reused: read them before the next search). */
export interface Hits {
  n: number;
  slots: Int32Array;
  sims: Float64Array;
}

/**
 * Per model slot, the similarity-weighted successes (`a`) and failures (`b`) of the neighbours'
 * outcomes, and how many neighbours had one (`used`). `slot` finds a model's place.
 */
export interface NeighbourEvidence {
  slot(model: string): number;
  a: Float64Array;
  b: Float64Array;
  used: Float64Array;
}

/** Evidence with no neighbours (an empty index, or a request without a prompt). */
export const NO_EVIDENCE: NeighbourEvidence = Object.freeze({ slot: () => -1, a: new Float64Array(0), b: new Float64Array(0), used: new Float64Array(0) });

export interface PromptIndexOptions {
  /** Postings scanned per query at most (rarest terms first). */
  scanBudget?: number;
  /** Outcomes the drift estimate's short and long means average over (drift.ts). */
  drift?: DriftOptions;
}

/** Neighbours consulted to predict an arriving outcome (for the drift estimate). */
const DRIFT_K = 64;

const weightOf = (sim: number, power: number) => (power === 0.5 ? Math.sqrt(sim) : power === 1 ? sim : Math.pow(sim, power));

/** A bounded inverted index of prompts (oldest evicted first). */
export class PromptIndex {
  private entries: Entry[] = [];
  private byKey = new Map<string, Entry>();
  private table = new TermTable();
  /** Outcomes per entry slot as (model slot, mean) pairs. */
  private outcomes = new SlotOutcomes();

  private seq = 0;
  private dead = 0;
  /** Per slot: 1 / norm, 0 when the entry is dead (so the scan never touches an entry object). */
  private invNorm = new Float64Array(64);
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  /** Per query term: its table position, query weight × idf², and df (for the rarest-first order). */
  private qPos = new Int32Array(256);
  private qW = new Float64Array(256);
  private qOrder = new Float64Array(256);
  private readonly heap = new TopK();
  private readonly hits: Hits = { n: 0, slots: new Int32Array(0), sims: new Float64Array(0) };
  /** Model names seen in outcomes, each with a slot (entries keep outcomes by slot). */
  private readonly models: string[] = [];
  private readonly modelSlots = new Map<string, number>();
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

  /** A model's slot in outcomes and evidence, or -1 when no outcome of it was recorded. */
  modelSlot(model: string): number {
    return this.modelSlots.get(model) ?? -1;
  }

  private slotFor(model: string): number {
    let i = this.modelSlots.get(model);
    if (i === undefined) {
      i = this.models.length;
      this.models.push(model);
      this.modelSlots.set(model, i);
    }
    return i;
  }

  private observeDrift(text: string, self: Entry | undefined, model: string, score: number, taskType: string): void {
    const m = this.modelSlot(model);
    if (m < 0) return;
    let a = 0;
    let b = 0;
    const hits = this.search(text, DRIFT_K);
    const { models, means } = this.outcomes;
    const selfSlot = self ? self.slot : -1;
    for (let h = 0; h < hits.n; h++) {
      const j = hits.slots[h]!;
      if (j === selfSlot) continue;
      const from = this.outcomes.start(j);
      const to = from + this.outcomes.len(j);
      for (let i = from; i < to; i++) {
        if (models[i] !== m) continue;
        const w = Math.sqrt(hits.sims[h]!);
        a += w * means[i]!;
        b += w * (1 - means[i]!);
      }
    }
    // A prediction from fewer neighbours is mostly noise (and the same few would predict every new outcome).
    if (a + b < 3) return;
    this.drifts.observe(model, taskType, score - a / (a + b));
  }

  get size(): number {
    return this.byKey.size;
  }

  private idf(df: number): number {
    return Math.log(1 + (this.byKey.size + 1) / (df + 1));
  }

  /** Record a scored outcome of `model` on `text`. */
  add(text: string, o: { traceId: string; metric: string; model: string; score: number; taskType: string }): void {
    const key = promptKey(text);
    let e = this.byKey.get(key);
    const traceKey = `${o.traceId}\u0000${o.metric}`;
    if (this.byKey.size > 0 && !e?.byTrace.has(traceKey)) this.observeDrift(text, e, o.model, o.score, o.taskType);
    if (!e) {
      const { terms, weights } = termsOf(text);
      for (const t of terms) this.table.count(t, 1);
      let sq = 0;
      for (let i = 0; i < terms.length; i++) sq += (weights[i]! * this.idf(this.table.df(this.table.find(terms[i]!)))) ** 2;
      e = { key, terms, weights, norm: Math.sqrt(sq) || 1, taskType: o.taskType, outcomes: new Map(), byTrace: new Map(), seq: this.seq++, slot: this.entries.length, dead: false };
      const idx = e.slot;
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
    this.setOutcomes(e);
  }

  private setOutcomes(e: Entry): void {
    this.outcomes.set(
      e.slot,
      Array.from(e.outcomes.keys(), (m) => this.slotFor(m)),
      Array.from(e.outcomes.values(), (m) => m.sum / m.n),
    );
  }

  private evictOldest(): void {
    const slot = this.entries.findIndex((e) => !e.dead);
    if (slot < 0) return;
    const oldest = this.entries[slot]!;
    oldest.dead = true;
    this.invNorm[slot] = 0;
    this.byKey.delete(oldest.key);
    for (const t of oldest.terms) this.table.count(t, -1);
    this.dead++;
    if (this.dead > this.entries.length / 4) this.compact();
  }

  /** Drop the dead entries: slots, the term table and its postings are laid out again. */
  private compact(): void {
    const live = this.entries.filter((e) => !e.dead);
    this.entries = [];
    this.byKey.clear();
    this.table = new TermTable(this.table.size);
    this.outcomes.clear();
    this.invNorm.fill(0);
    this.dead = 0;
    for (const e of live) {
      const idx = (e.slot = this.entries.length);
      this.entries.push(e);
      this.setOutcomes(e);
      this.byKey.set(e.key, e);
      for (const t of e.terms) this.table.count(t, 1);
      this.post(idx, e);
    }
    this.table.repack();
  }

  private post(idx: number, e: Entry): void {
    if (idx >= this.invNorm.length) {
      const grown = new Float64Array(this.invNorm.length * 2);
      grown.set(this.invNorm);
      this.invNorm = grown;
    }
    this.invNorm[idx] = 1 / e.norm;
    for (let i = 0; i < e.terms.length; i++) this.table.post(e.terms[i]!, idx, e.weights[i]!);
  }

  /**
   * The `k` most similar live prompts (cosine over idf-weighted vectors), best first unless `ordered`
   * is false (the router sums over them and ranks only the few it needs, `best`): one bounded scan.
   * The answer is reused by the next search.
   */
  search(text: string, k: number, ordered = true): Hits {
    const hits = this.hits;
    hits.n = 0;
    if (this.byKey.size === 0 || k <= 0) return hits;
    const { terms, weights, n: count } = scratchTermsOf(text);
    const table = this.table;
    // Terms in over a quarter of the prompts say little and cost the most to scan.
    const common = Math.max(50, this.byKey.size / 4);
    if (this.qPos.length < count) {
      this.qPos = new Int32Array(count * 2);
      this.qW = new Float64Array(count * 2);
      this.qOrder = new Float64Array(count * 2);
    }
    const { qPos, qW } = this;
    let m = 0;
    let qnorm = 0;
    for (let i = 0; i < count; i++) {
      const pos = table.find(terms[i]!);
      const df = table.df(pos);
      const idf = this.idf(df);
      const w = weights[i]! * idf;
      qnorm += w * w;
      if (df === 0 || df > common) continue;
      qPos[m] = pos;
      qW[m] = w * idf;
      // Rarest first, ties in term order (df < 2^31 and m < 2^16 keep the key exact).
      this.qOrder[m] = df * 65_536 + m;
      m++;
    }
    qnorm = Math.sqrt(qnorm) || 1;
    const order = this.qOrder.subarray(0, m).sort();
    if (this.scores.length < this.entries.length) {
      this.scores = new Float64Array(this.entries.length * 2);
      this.touched = new Int32Array(this.entries.length * 2);
    }
    const { scores, touched } = this;
    const slots = table.slots;
    const tw = table.weights;
    let nt = 0;
    let budget = this.scanBudget;
    for (let o = 0; o < m && budget > 0; o++) {
      const q = order[o]! % 65_536;
      const pos = qPos[q]!;
      const qw = qW[q]!;
      const from = table.start(pos);
      const to = from + table.len(pos);
      budget -= to - from;
      for (let i = from; i < to; i++) {
        const j = slots[i]!;
        if (scores[j] === 0) touched[nt++] = j;
        scores[j] = scores[j]! + qw * tw[i]!;
      }
    }
    const inv = this.invNorm;
    const qinv = 1 / qnorm;
    if (!ordered) {
      // Every scored prompt into the answer's arrays, then the best k moved to the front.
      if (hits.slots.length < Math.max(k, nt)) {
        hits.slots = new Int32Array(Math.max(k, nt));
        hits.sims = new Float64Array(hits.slots.length);
      }
      let c = 0;
      for (let i = 0; i < nt; i++) {
        const j = touched[i]!;
        const s = scores[j]! * inv[j]! * qinv;
        scores[j] = 0;
        if (s > 0) {
          hits.slots[c] = j;
          hits.sims[c++] = s;
        }
      }
      if (c > k) selectBest(hits.slots, hits.sims, c, k);
      hits.n = Math.min(c, k);
      return hits;
    }
    const heap = this.heap;
    heap.reset(k);
    for (let i = 0; i < nt; i++) {
      const j = touched[i]!;
      const s = scores[j]! * inv[j]! * qinv;
      scores[j] = 0;
      if (s > 0) heap.push(j, s);
    }
    if (hits.slots.length < k) {
      hits.slots = new Int32Array(k);
      hits.sims = new Float64Array(k);
    }
    hits.n = heap.drain(hits.slots, hits.sims);
    return hits;
  }

  /** The `m` best of a search's answer, best first (ties to the lower slot, as `search` orders them). */
  best(hits: Hits, m: number): Neighbour[] {
    const out: Array<{ slot: number; sim: number }> = [];
    for (let h = 0; h < hits.n; h++) {
      const slot = hits.slots[h]!;
      const sim = hits.sims[h]!;
      let i = out.length;
      while (i > 0 && (out[i - 1]!.sim < sim || (out[i - 1]!.sim === sim && out[i - 1]!.slot > slot))) i--;
      if (i >= m) continue;
      out.splice(i, 0, { slot, sim });
      if (out.length > m) out.pop();
    }
    return out.map((x) => ({ entry: this.entries[x.slot]!, sim: x.sim }));
  }

  /** `search` as a list of entries (allocates; the router's hot path reads `search` itself). */
  nearest(text: string, k: number): Neighbour[] {
    const h = this.search(text, k);
    return Array.from(h.slots.subarray(0, h.n), (j, i) => ({ entry: this.entries[j]!, sim: h.sims[i]! }));
  }

  /**
   * Every model's evidence from one search in one pass over the neighbours (not one per candidate ×
   * neighbour): weight = similarity^power.
   */
  evidence(hits: Hits | Neighbour[], power: number): NeighbourEvidence {
    const size = this.models.length;
    const a = new Float64Array(size);
    const b = new Float64Array(size);
    const used = new Float64Array(size);
    const { models, means } = this.outcomes;
    const add = (j: number, sim: number) => {
      if (sim <= 0) return;
      const w = weightOf(sim, power);
      const from = this.outcomes.start(j);
      const to = from + this.outcomes.len(j);
      for (let i = from; i < to; i++) {
        const s = models[i]!;
        const mean = means[i]!;
        a[s] = a[s]! + w * mean;
        b[s] = b[s]! + w * (1 - mean);
        used[s] = used[s]! + 1;
      }
    };
    if (Array.isArray(hits)) for (const x of hits) add(x.entry.slot, x.sim);
    else for (let h = 0; h < hits.n; h++) add(hits.slots[h]!, hits.sims[h]!);
    return { slot: (model) => this.modelSlot(model), a, b, used };
  }

  /** The exact answer `nearest` approximates: every live prompt scored on every shared term. */
  exactNearest(text: string, k: number): Neighbour[] {
    const q = termsOf(text);
    let qnorm = 0;
    const qw = new Map<number, number>();
    for (let i = 0; i < q.terms.length; i++) {
      const t = q.terms[i]!;
      const idf = this.idf(this.table.df(this.table.find(t)));
      qnorm += (q.weights[i]! * idf) ** 2;
      qw.set(t, q.weights[i]! * idf * idf);
    }
    qnorm = Math.sqrt(qnorm) || 1;
    const heap = new TopK(k);
    heap.reset(k);
    this.entries.forEach((e, j) => {
      if (e.dead) return;
      let s = 0;
      for (let i = 0; i < e.terms.length; i++) s += (qw.get(e.terms[i]!) ?? 0) * e.weights[i]!;
      if (s > 0) heap.push(j, s / (qnorm * e.norm));
    });
    const slots = new Int32Array(k);
    const sims = new Float64Array(k);
    const n = heap.drain(slots, sims);
    return Array.from(slots.subarray(0, n), (j, i) => ({ entry: this.entries[j]!, sim: sims[i]! }));
  }
}
