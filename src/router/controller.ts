// The controller: predictions per candidate for a profile, the Pareto frontier, the policy's choice,
// and Thompson sampling within the policy's limits. Pure over a catalog snapshot.
import type { ModelStats } from './catalog.js';
import { NO_DRIFT, type DriftEstimate } from './drift.js';
import type { NeighbourEvidence } from './knn.js';
import { policies, type PolicyName, type PolicyParams, type Scored } from './policies.js';
import type { Profile } from './profile.js';
import type { RouterSettings } from './settings.js';

/** A model the project can reach, with its price and what it can do (unknown capabilities are allowed). */
export interface Candidate {
  model: string;
  /** USD per token. */
  inputPerToken: number;
  outputPerToken: number;
  contextWindow?: number | undefined;
  capabilities?: { tools?: boolean | undefined; vision?: boolean | undefined; json?: boolean | undefined } | undefined;
  /** A prior quality (0..1) for a model nothing has been learned about yet, e.g. from a benchmark. */
  qualityPrior?: number | undefined;
}

export interface Prediction {
  model: string;
  eligible: boolean;
  excluded?: string;
  cost_usd: number;
  latency_ms: number | null;
  latency_p95_ms: number | null;
  ttft_ms: number | null;
  error_rate: number;
  quality: number;
  quality_sd: number;
  /**
   * A conservative lower estimate of quality (one-sided 95%): what a request's own floor
   * (`x-aether-min-quality`) is checked against. It widens the posterior by a Jeffreys half
   * observation each way (so a few perfect scores are not taken as certainty), and takes a negative
   * drift already when it is one standard error out (drift.ts).
   */
  quality_low: number;
  /** Quality scores behind the prediction: the model's own for this task type, and neighbours'. */
  evidence: { task_type: string; scores: number; neighbours: number; drift: number };
  on_frontier: boolean;
}

/** How strongly the per-task prior counts against the neighbours' outcomes (in pseudo-observations). */
const PRIOR_STRENGTH = 2;
const UNKNOWN_PRIOR = 0.5;
/** One-sided 95% for checking a request's quality floor. */
const Z_FLOOR = 1.645;

/** Indices of the points no other point beats on every objective (all minimised) and strictly on one. */
export function paretoFrontier(points: number[][]): number[] {
  if (points.every((p) => p.length === 2)) return frontier2(points);
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const dominated = points.some((q, j) => j !== i && q.every((v, k) => v <= p[k]!) && q.some((v, k) => v < p[k]!));
    if (!dominated) out.push(i);
  }
  return out;
}

/**
 * The same for two objectives (cost and −quality per decision) in O(n log n) instead of O(n²): by
 * the first objective, a point is on the frontier when it has the least second objective of its
 * group and beats every point with a smaller first one.
 */
function frontier2(points: number[][]): number[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a]![0]! - points[b]![0]! || points[a]![1]! - points[b]![1]!);
  const out: number[] = [];
  let best = Number.POSITIVE_INFINITY; // least second objective among points with a smaller first one
  for (let g = 0; g < order.length; ) {
    const x = points[order[g]!]![0]!;
    let end = g;
    while (end < order.length && points[order[end]!]![0] === x) end++;
    const least = points[order[g]!]![1]!;
    if (least < best) for (let i = g; i < end && points[order[i]!]![1] === least; i++) out.push(order[i]!);
    best = Math.min(best, least);
    g = end;
  }
  return out.sort((a, b) => a - b);
}

function gamma(shape: number, rnd: () => number): number {
  if (shape < 1) return gamma(shape + 1, rnd) * Math.pow(rnd() || 1e-12, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Box-Muller normal
      x = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rnd();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u || 1e-12) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A draw from Beta(a, b). */
export function sampleBeta(a: number, b: number, rnd: () => number = Math.random): number {
  const x = gamma(Math.max(a, 1e-3), rnd);
  const y = gamma(Math.max(b, 1e-3), rnd);
  return x / (x + y);
}

/** A model's stats under a candidate id (`endpoint/model` also matches traces that recorded `model`). */
export function statsFor(models: Map<string, Map<string, ModelStats>>, id: string): Map<string, ModelStats> | undefined {
  const m = models.get(id);
  if (m) return m;
  const b = bareModel(id);
  return b === null ? undefined : models.get(b);
}

interface Posterior {
  alpha: number;
  beta: number;
}

// Candidate ids recorded as `endpoint/model` also match figures recorded under the bare model: the
// bare name of each id, worked out once (ids come from the routing pool, a small set).
const bare = new Map<string, string | null>();
/** The model part of an `endpoint/model` id (null for a bare id). */
export function bareModel(id: string): string | null {
  let b = bare.get(id);
  if (b === undefined) {
    if (bare.size > 10_000) bare.clear();
    bare.set(id, (b = id.includes('/') ? id.slice(id.indexOf('/') + 1) : null));
  }
  return b;
}

/** Predict one candidate for a profile. */
function predict(c: Candidate, profile: Profile, byTask: Map<string, ModelStats> | undefined, evidence: NeighbourEvidence, s: RouterSettings, priorStrength: number, shift: DriftEstimate): { p: Prediction; post: Posterior } {
  const drift = shift.mean;
  const task = byTask?.get(profile.taskType);
  const all = byTask?.get('*');
  const q = task && task.quality.mean !== null ? task : all && all.quality.mean !== null ? all : undefined;
  const priorMean = q?.quality.mean ?? c.qualityPrior ?? UNKNOWN_PRIOR;
  const priorN = q ? Math.min(priorStrength, q.quality.alpha + q.quality.beta) : 1;
  let a = priorMean * priorN;
  let b = (1 - priorMean) * priorN;
  // Outcomes recorded under `endpoint/model` and under the bare model both count.
  let used = 0;
  const name = bareModel(c.model);
  const own = evidence.slot(c.model);
  const alias = name === null ? -1 : evidence.slot(name);
  for (let k = 0; k < 2; k++) {
    const slot = k === 0 ? own : alias;
    if (slot < 0) continue;
    a += evidence.a[slot]!;
    b += evidence.b[slot]!;
    used += evidence.used[slot]!;
  }
  if (drift !== 0) {
    // The model's recent outcomes fall short of (or beat) its record: move the estimate by as much.
    const total = a + b;
    const mean = Math.min(0.999, Math.max(0.001, a / total + drift));
    a = mean * total;
    b = (1 - mean) * total;
  }
  const lat = task?.latencyP50Ms != null ? task : all;
  const outTokens = lat?.meanOutputTokens ?? profile.expectedOutputTokens;
  const cost = profile.inputTokens * c.inputPerToken + outTokens * c.outputPerToken;
  const streamed = lat?.ttftP50Ms != null && lat.msPerOutputToken != null ? lat.ttftP50Ms + lat.msPerOutputToken * outTokens : null;
  const latency = lat?.latencyP50Ms ?? streamed;
  const n = a + b;
  // The lower bound: the posterior with a Jeffreys half observation each way, one-sided 95%, then
  // the part of a negative drift the mean does not take yet.
  const aj = a + 0.5;
  const bj = b + 0.5;
  const nj = aj + bj;
  const low = Math.max(0, aj / nj - Z_FLOOR * Math.sqrt((aj * bj) / (nj * nj * (nj + 1))) + Math.min(0, shift.low - shift.mean));
  let excluded: string | undefined;
  const caps = c.capabilities ?? {};
  if (profile.needs.tools && caps.tools === false) excluded = 'does not support tools';
  else if (profile.needs.vision && caps.vision === false) excluded = 'does not accept images';
  else if (profile.needs.json && caps.json === false) excluded = 'has no JSON mode';
  else if (c.contextWindow !== undefined && c.contextWindow < profile.neededContext) excluded = `context window ${c.contextWindow} < ${profile.neededContext} tokens needed`;
  else if (profile.pii && s.pii_models && !s.pii_models.includes(c.model)) excluded = 'not allowed for personal data (router settings pii_models)';
  else if (all && all.calls >= 10 && all.errorRate > 0.5) excluded = `error rate ${(all.errorRate * 100).toFixed(0)}%`;
  const p: Prediction = {
    model: c.model,
    eligible: excluded === undefined,
    ...(excluded ? { excluded } : {}),
    cost_usd: cost,
    latency_ms: latency,
    latency_p95_ms: lat?.latencyP95Ms ?? null,
    ttft_ms: lat?.ttftP50Ms ?? null,
    error_rate: all?.errorRate ?? 0,
    quality: a / n,
    quality_sd: Math.sqrt((a * b) / (n * n * (n + 1))),
    quality_low: low,
    evidence: { task_type: q === task && task ? profile.taskType : '*', scores: q?.quality.count ?? 0, neighbours: used, drift },
    on_frontier: false,
  };
  return { p, post: { alpha: a, beta: b } };
}

export interface ControlInput {
  profile: Profile;
  candidates: readonly Candidate[];
  models: Map<string, Map<string, ModelStats>>;
  /** What the request's nearest past prompts showed about each model (PromptIndex.evidence). */
  evidence: NeighbourEvidence;
  settings: RouterSettings;
  policy: PolicyName;
  /** Draw qualities from the posteriors (Thompson sampling) instead of using their means. */
  explore: boolean;
  /** A model's recent shift against its record for a task type (PromptIndex.driftEstimate), added to its quality estimate. */
  drift?: (model: string, taskType: string) => DriftEstimate;
  /** Pseudo-observations the model's own task-type figures count for against the neighbours'. */
  priorStrength?: number;
  rnd?: () => number;
}

export interface ControlResult {
  model: string | null;
  policy: PolicyName;
  explored: boolean;
  /** The choice with posterior means, and its predicted cost (exploration spend is the difference). */
  exploit: { model: string | null; cost_usd: number };
  candidates: Prediction[];
  frontier: string[];
  why: string;
}

/** Score every candidate and let the policy choose among those within the SLO limits. */
export function control(input: ControlInput): ControlResult {
  const { profile, settings: s } = input;
  const scored = input.candidates.map((c) => predict(c, profile, statsFor(input.models, c.model), input.evidence, s, input.priorStrength ?? PRIOR_STRENGTH, input.drift?.(c.model, profile.taskType) ?? NO_DRIFT));
  const preds = scored.map((x) => x.p);
  const eligible = scored.filter((x) => x.p.eligible);
  const front = paretoFrontier(eligible.map((x) => [x.p.cost_usd, -x.p.quality]));
  for (const i of front) eligible[i]!.p.on_frontier = true;
  const frontier = front.map((i) => eligible[i]!.p.model);
  const base = { policy: input.policy, candidates: preds, frontier };
  if (eligible.length === 0) return { ...base, model: null, explored: false, exploit: { model: null, cost_usd: 0 }, why: 'no candidate can serve this request: ' + (preds.map((p) => `${p.model} ${p.excluded}`).join('; ') || 'no candidates') };
  const maxLatency = profile.slo.maxLatencyMs ?? s.max_latency_ms ?? undefined;
  const maxCost = profile.slo.maxCostUsd ?? s.max_cost_usd ?? undefined;
  // Latency limits are checked against p95 where it is known, so most calls land under it.
  // A request's own quality floor (x-aether-min-quality) is a hard SLO like the others: it is checked
  // against the candidate's lower estimate (`quality_low`), so a model whose mean only just clears
  // the floor on thin evidence, or that has started to slip, is not taken for it. When no candidate's
  // lower estimate clears it, the one with the highest lower estimate is taken (the likeliest to meet
  // it). Such a request is never explored: a Thompson draw could only take a model less sure to
  // meet the floor.
  const floor = profile.slo.minQuality;
  const withinSlo = eligible.filter((x) => (maxCost === undefined || x.p.cost_usd <= maxCost) && (maxLatency === undefined || (x.p.latency_p95_ms ?? x.p.latency_ms ?? 0) <= maxLatency));
  const limited = withinSlo.length ? withinSlo : eligible;
  let pool = limited;
  let unsure: string | undefined;
  if (floor !== undefined) {
    const sure = limited.filter((x) => x.p.quality_low >= floor);
    if (sure.length) pool = sure;
    else {
      const safest = limited.reduce((m, x) => (x.p.quality_low > m.p.quality_low || (x.p.quality_low === m.p.quality_low && x.p.cost_usd < m.p.cost_usd) ? x : m));
      pool = [safest];
      unsure = `no candidate's lower quality estimate reaches the floor ${floor}; took the highest (${safest.p.model}, ${safest.p.quality_low.toFixed(3)})`;
    }
  }
  const params: PolicyParams = { minQuality: profile.slo.minQuality ?? s.min_quality, qualityGap: s.quality_gap, qualityPerUsd: s.quality_per_usd, weights: s.utility_weights };
  const asScored = (qual: (x: (typeof pool)[number]) => number): Scored[] => pool.map((x) => ({ model: x.p.model, costUsd: x.p.cost_usd, latencyMs: x.p.latency_ms, quality: qual(x) }));
  const choose = policies[input.policy].choose;
  const exploit = unsure ? { model: pool[0]!.p.model, why: unsure } : choose(asScored((x) => x.p.quality), params);
  const exploitCost = pool.find((x) => x.p.model === exploit.model)!.p.cost_usd;
  let pick = exploit;
  let explored = false;
  if (input.explore && floor === undefined && pool.length > 1) {
    const rnd = input.rnd ?? Math.random;
    const sampled = choose(asScored((x) => sampleBeta(x.post.alpha, x.post.beta, rnd)), params);
    if (sampled.model !== exploit.model) {
      pick = { model: sampled.model, why: `exploring (Thompson sample): ${sampled.why}; the mean estimate would take ${exploit.model}` };
      explored = true;
    }
  }
  const relaxed = withinSlo.length ? '' : ` (no candidate is predicted within the SLO limits${maxLatency ? ` latency ${maxLatency} ms` : ''}${maxCost ? ` cost $${maxCost}` : ''}; relaxed)`;
  return { ...base, model: pick.model, explored, exploit: { model: exploit.model, cost_usd: exploitCost }, why: `${input.policy}: ${pick.why}; task ${profile.taskType}${relaxed}` };
}
