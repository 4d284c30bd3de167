// Fitting and evaluation helpers for the detector (used by scripts/fit-detector.ts and the benchmark).
// Pure TypeScript: a multiple-instance logistic regression (a response is unsupported when its worst
// claim is), seeded k-fold splits and the metrics we report.
import { readFileSync } from 'node:fs';
import { CLAIM_FEATURES, RESPONSE_FEATURES, extractFeatures, type ResponseFeatures } from './features.js';
import { scoreFeatures, type DetectorParams } from './model.js';

export interface LabeledRow {
  id: string;
  question: string | null;
  response: string;
  contexts: string[];
  hallucinated: boolean;
}

/** Read a JSONL evaluation file, keeping only the fields the detector may see (never reference answers). */
export function readLabeledJsonl(path: string | URL): LabeledRow[] {
  const rows: LabeledRow[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const o = JSON.parse(line) as Record<string, unknown>;
    const contexts = o.contexts;
    if (typeof o.response !== 'string' || typeof o.hallucinated !== 'boolean' || !Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string')) {
      throw new Error(`${String(path)}:${i + 1}: expected response, contexts[] and hallucinated`);
    }
    rows.push({
      id: typeof o.id === 'string' ? o.id : String(i),
      question: typeof o.question === 'string' ? o.question : null,
      response: o.response,
      contexts: contexts as string[],
      hallucinated: o.hallucinated,
    });
  });
  return rows;
}

export interface Example {
  label: boolean;
  /** Rows sharing a group (same question, same source) always land in the same fold. */
  group: string;
  f: ResponseFeatures;
}

/**
 * Rows about the same question and sources (a HaluEval right/hallucinated pair, the FaithBench
 * summaries of one article) form one group, so cross-validation never trains on a sibling of a test row.
 */
export const groupKey = (r: LabeledRow): string => `${r.question ?? ''}\u0000${r.contexts.join('\u0001')}`;

export function toExamples(rows: LabeledRow[], groupOf: (r: LabeledRow) => string = groupKey): Example[] {
  return rows.map((r) => ({ label: r.hallucinated, group: groupOf(r), f: extractFeatures(r) }));
}

/** mulberry32: a small seeded PRNG so that shuffles are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/** Fold index (0..k-1) per example; whole groups go to one fold. */
export function groupFolds(groups: readonly string[], k: number, seed: number): number[] {
  const unique = shuffled([...new Set(groups)].sort(), seed);
  const foldOf = new Map<string, number>();
  unique.forEach((g, i) => foldOf.set(g, i % k));
  return groups.map((g) => foldOf.get(g) ?? 0);
}

// ---------------------------------------------------------------- metrics

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Hallucinated is the positive class; predicted positive when score < threshold. */
export function confusion(scores: readonly number[], labels: readonly boolean[], threshold: number): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  scores.forEach((s, i) => {
    const pos = s < threshold;
    if (labels[i]) {
      if (pos) c.tp++;
      else c.fn++;
    } else if (pos) c.fp++;
    else c.tn++;
  });
  return c;
}

export interface Metrics extends Confusion {
  n: number;
  positives: number;
  /** Responses predicted hallucinated. */
  flagged: number;
  balancedAccuracy: number;
  f1: number;
  auc: number;
}

/** Metrics of out-of-sample scores with per-row hard predictions (hallucinated = positive). */
export function summarize(scores: readonly number[], labels: readonly boolean[], predicted: readonly boolean[]): Metrics {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  predicted.forEach((p, i) => {
    if (labels[i]) {
      if (p) c.tp++;
      else c.fn++;
    } else if (p) c.fp++;
    else c.tn++;
  });
  return {
    n: labels.length,
    positives: labels.filter(Boolean).length,
    flagged: c.tp + c.fp,
    ...c,
    balancedAccuracy: balancedAccuracy(c),
    f1: f1(c),
    auc: rocAuc(scores, labels),
  };
}

export interface CrossValidation {
  scores: number[];
  predicted: boolean[];
  labels: boolean[];
  thresholds: number[];
  metrics: Metrics;
}

/**
 * k-fold cross-validation over groups: for each fold, fit on the other folds (weights and threshold),
 * then score the held-out fold. No row is ever scored by a model that saw it.
 */
export function crossValidate(
  labels: readonly boolean[],
  groups: readonly string[],
  fitAndScore: (train: number[], test: number[]) => { threshold: number; scores: number[] },
  k = 5,
  seed = 42,
): CrossValidation {
  const folds = groupFolds(groups, k, seed);
  const scores = new Array<number>(labels.length).fill(0);
  const predicted = new Array<boolean>(labels.length).fill(false);
  const thresholds: number[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    folds.forEach((x, i) => (x === f ? test : train).push(i));
    if (!test.length) continue;
    const out = fitAndScore(train, test);
    thresholds.push(out.threshold);
    test.forEach((i, j) => {
      const s = out.scores[j] ?? 1;
      scores[i] = s;
      predicted[i] = s < out.threshold;
    });
  }
  return { scores, predicted, labels: [...labels], thresholds, metrics: summarize(scores, labels, predicted) };
}

export const balancedAccuracy = (c: Confusion): number => 0.5 * (c.tp / Math.max(1, c.tp + c.fn) + c.tn / Math.max(1, c.tn + c.fp));
export const f1 = (c: Confusion): number => (2 * c.tp) / Math.max(1, 2 * c.tp + c.fp + c.fn);

/** ROC AUC of (1 - score) for the hallucinated class, ties counted half. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const idx = scores.map((s, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0)); // high faithfulness first
  // rank by hallucination score ascending == faithfulness descending
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] ?? 0] === scores[idx[i] ?? 0]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] ?? 0]) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return 0.5;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** The threshold maximizing balanced accuracy on these scores (midpoint between neighbours). */
export function bestThreshold(scores: readonly number[], labels: readonly boolean[]): number {
  const uniq = [...new Set(scores)].sort((a, b) => a - b);
  const candidates = [0, ...uniq.slice(1).map((v, i) => ((uniq[i] ?? v) + v) / 2), 1.0000001];
  let best = 0.5;
  let bestBa = -1;
  for (const t of candidates) {
    const ba = balancedAccuracy(confusion(scores, labels, t));
    if (ba > bestBa + 1e-12) {
      bestBa = ba;
      best = t;
    }
  }
  return Math.min(1, best);
}

// ---------------------------------------------------------------- fitting

/**
 * The features the shipped model uses: support evidence only. Features that reveal the response's
 * form (length, the short-answer flag, the share of verbatim bigrams, the question-focused answer
 * checks) are left out on purpose: on HaluEval the form alone separates the classes (right answers
 * are spans copied from the contexts, hallucinated ones are generated sentences), and a model that
 * learns it calls every fully supported sentence unsupported. Response-level features are left out
 * too, so that a claim's verdict depends on that claim only (one invented number must not make its
 * neighbours look unsupported); they add nothing on HaluEval, where most responses are one claim.
 * bench/evals/detector.ts reports the variant with every feature ('all features').
 */
export const SHIPPED_FEATURES: readonly string[] = [
  'coverage',
  'novelShare',
  'novelTokens',
  'bestSentenceCoverage',
  'unsupportedNumber',
  'unsupportedNumberShare',
  'unsupportedEntity',
  'unsupportedEntityShare',
  'brokenName',
  'negationFlip',
];

/** The settings scripts/fit-detector.ts ships and the benchmark cross-validates. */
export const DEFAULT_FIT_OPTIONS = { l2: 0.01, iterations: 600, learningRate: 0.05 } as const;

export interface FitOptions {
  /** Features to use (default: SHIPPED_FEATURES). */
  features?: readonly string[];
  l2?: number;
  iterations?: number;
  learningRate?: number;
  version?: string;
  fittedOn?: string;
}

export const ALL_FEATURE_NAMES: readonly string[] = [...CLAIM_FEATURES, ...RESPONSE_FEATURES];

function vectorOf(names: readonly string[], x: number[], r: number[]): number[] {
  return names.map((name) => {
    const ci = (CLAIM_FEATURES as readonly string[]).indexOf(name);
    return ci >= 0 ? (x[ci] ?? 0) : (r[(RESPONSE_FEATURES as readonly string[]).indexOf(name)] ?? 0);
  });
}

/**
 * Fit the claim-level logistic regression with max pooling over claims (a response is as unsupported
 * as its worst claim), balanced class weights, L2, full-batch Adam; then pick the threshold that
 * maximizes balanced accuracy on the same training rows. Deterministic.
 */
export function fitDetector(examples: readonly Example[], opts: FitOptions = {}): DetectorParams {
  const names = opts.features ?? SHIPPED_FEATURES;
  const l2 = opts.l2 ?? DEFAULT_FIT_OPTIONS.l2;
  const iterations = opts.iterations ?? DEFAULT_FIT_OPTIONS.iterations;
  const lr = opts.learningRate ?? DEFAULT_FIT_OPTIONS.learningRate;
  const d = names.length;
  const bags: Array<{ y: number; weight: number; rows: number[][] }> = [];
  const nPos = examples.filter((e) => e.label).length;
  const nNeg = examples.length - nPos;
  for (const e of examples) {
    const rows = e.f.claims.filter((c) => c.checkable).map((c) => vectorOf(names, c.x, e.f.r));
    if (!rows.length) continue;
    const weight = e.label ? examples.length / (2 * Math.max(1, nPos)) : examples.length / (2 * Math.max(1, nNeg));
    bags.push({ y: e.label ? 1 : 0, weight, rows });
  }
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  let count = 0;
  for (const b of bags) for (const v of b.rows) {
    count++;
    v.forEach((x, k) => (mean[k] = (mean[k] ?? 0) + x));
  }
  for (let k = 0; k < d; k++) mean[k] = (mean[k] ?? 0) / Math.max(1, count);
  for (const b of bags) for (const v of b.rows) v.forEach((x, k) => (scale[k] = (scale[k] ?? 0) + (x - (mean[k] ?? 0)) ** 2));
  for (let k = 0; k < d; k++) {
    const sd = Math.sqrt((scale[k] ?? 0) / Math.max(1, count));
    scale[k] = sd > 1e-6 ? sd : 1;
  }
  for (const b of bags) for (const v of b.rows) for (let k = 0; k < d; k++) v[k] = ((v[k] ?? 0) - (mean[k] ?? 0)) / (scale[k] ?? 1);

  const w = new Array<number>(d).fill(0);
  let bias = 0;
  const m = new Array<number>(d + 1).fill(0);
  const s = new Array<number>(d + 1).fill(0);
  const totalWeight = bags.reduce((a, b) => a + b.weight, 0) || 1;
  for (let it = 1; it <= iterations; it++) {
    const g = new Array<number>(d + 1).fill(0);
    for (const b of bags) {
      let bestZ = -Infinity;
      let best: number[] = b.rows[0] ?? [];
      for (const v of b.rows) {
        let z = bias;
        for (let k = 0; k < d; k++) z += (w[k] ?? 0) * (v[k] ?? 0);
        if (z > bestZ) {
          bestZ = z;
          best = v;
        }
      }
      const p = 1 / (1 + Math.exp(-bestZ));
      const err = (b.weight * (p - b.y)) / totalWeight;
      for (let k = 0; k < d; k++) g[k] = (g[k] ?? 0) + err * (best[k] ?? 0);
      g[d] = (g[d] ?? 0) + err;
    }
    for (let k = 0; k < d; k++) g[k] = (g[k] ?? 0) + l2 * (w[k] ?? 0);
    // Adam
    for (let k = 0; k <= d; k++) {
      const gk = g[k] ?? 0;
      m[k] = 0.9 * (m[k] ?? 0) + 0.1 * gk;
      s[k] = 0.999 * (s[k] ?? 0) + 0.001 * gk * gk;
      const step = (lr * ((m[k] ?? 0) / (1 - 0.9 ** it))) / (Math.sqrt((s[k] ?? 0) / (1 - 0.999 ** it)) + 1e-8);
      if (k === d) bias -= step;
      else w[k] = (w[k] ?? 0) - step;
    }
  }
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const params: DetectorParams = {
    version: opts.version ?? 'dev',
    features: [...names],
    mean: mean.map(round),
    scale: scale.map(round),
    weights: w.map(round),
    bias: round(bias),
    threshold: 0.5,
    fittedOn: opts.fittedOn ?? '',
  };
  const scores = examples.map((e) => scoreOrOne(params, e.f));
  params.threshold = round(bestThreshold(scores, examples.map((e) => e.label)));
  return params;
}

/** Faithfulness score; a response with nothing to check counts as faithful (1). */
export function scoreOrOne(params: DetectorParams, f: ResponseFeatures): number {
  return scoreFeatures(params, f) ?? 1;
}
