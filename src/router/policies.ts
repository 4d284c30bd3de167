// Routing policies: one table, each a small pure function over scored candidates. Hard SLO limits
// (latency, cost) are applied before a policy sees the list; a policy only orders what is feasible.

/** A candidate with predictions for this request (quality may be a Thompson sample). */
export interface Scored {
  model: string;
  costUsd: number;
  /** Predicted median latency; null when nothing is known yet. */
  latencyMs: number | null;
  quality: number;
}

export interface PolicyParams {
  /** Absolute quality floor (0..1). */
  minQuality: number;
  /** Accept a model whose predicted quality is within this much of the best candidate's. */
  qualityGap: number | null;
  /**
   * A floor on the workload's average quality rather than each request's: take a cheaper model when
   * its predicted shortfall against the best candidate is at most this much quality per USD saved
   * (the Lagrangian rule for "least total cost at a given mean quality").
   */
  qualityPerUsd: number | null;
  weights: { quality: number; cost: number; latency: number };
}

export interface Choice {
  model: string;
  why: string;
}

const byCost = (a: Scored, b: Scored) => a.costUsd - b.costUsd || b.quality - a.quality;
const byQuality = (a: Scored, b: Scored) => b.quality - a.quality || a.costUsd - b.costUsd;
const lat = (s: Scored) => s.latencyMs ?? Number.POSITIVE_INFINITY;
const fmt = (n: number) => (n < 0.01 ? n.toExponential(2) : n.toFixed(4));

function cheapest(c: Scored[], p: PolicyParams): Choice {
  const best = Math.max(...c.map((s) => s.quality));
  const floor = Math.max(p.minQuality, p.qualityGap === null ? 0 : best - p.qualityGap);
  const top = [...c].sort(byQuality)[0]!;
  const rate = p.qualityPerUsd;
  const ok = c.filter((s) => s.quality >= floor && (rate === null || s === top || top.quality - s.quality <= rate * (top.costUsd - s.costUsd))).sort(byCost);
  if (ok[0]) return { model: ok[0].model, why: `cheapest of ${ok.length} candidate(s) with predicted quality >= ${floor.toFixed(3)}${rate === null ? '' : ` and at most ${rate} quality lost per USD saved`} ($${fmt(ok[0].costUsd)}, quality ${ok[0].quality.toFixed(3)})` };
  return { model: top.model, why: `no candidate is predicted to reach quality ${floor.toFixed(3)}; took the best (${top.quality.toFixed(3)})` };
}

function fastest(c: Scored[]): Choice {
  const s = [...c].sort((a, b) => lat(a) - lat(b) || a.costUsd - b.costUsd)[0]!;
  return { model: s.model, why: s.latencyMs === null ? 'no latency known yet for any feasible candidate; took the cheapest' : `fastest feasible candidate (p50 ${Math.round(s.latencyMs)} ms)` };
}

function best(c: Scored[]): Choice {
  const s = [...c].sort(byQuality)[0]!;
  return { model: s.model, why: `highest predicted quality (${s.quality.toFixed(3)}) within the limits` };
}

function utility(c: Scored[], p: PolicyParams): Choice {
  // Cost and latency on a log scale relative to the candidates' range, so weights are unit-free.
  const norm = (vals: number[]) => {
    const logs = vals.map((v) => Math.log(Math.max(v, 1e-12)));
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    return logs.map((l) => (hi > lo ? (l - lo) / (hi - lo) : 0));
  };
  const costN = norm(c.map((s) => s.costUsd));
  const known = c.map((s) => s.latencyMs).filter((v): v is number => v !== null);
  const fallback = known.length ? Math.max(...known) : 1;
  const latN = norm(c.map((s) => s.latencyMs ?? fallback));
  const u = c.map((s, i) => p.weights.quality * s.quality - p.weights.cost * costN[i]! - p.weights.latency * latN[i]!);
  let i = 0;
  for (let j = 1; j < c.length; j++) if (u[j]! > u[i]!) i = j;
  return { model: c[i]!.model, why: `highest utility ${u[i]!.toFixed(3)} = ${p.weights.quality}·quality − ${p.weights.cost}·cost − ${p.weights.latency}·latency (normalised)` };
}

/** The policies by name; `auto:<name>` and `x-aether-route: <name>` select one. */
export const policies = {
  cheapest: { description: 'the cheapest model predicted to meet the quality floor', choose: cheapest },
  fastest: { description: 'the fastest model under the cost cap', choose: (c: Scored[]) => fastest(c) },
  best: { description: 'the best predicted quality under the budget', choose: (c: Scored[]) => best(c) },
  utility: { description: 'the best weighted utility of quality, cost and latency', choose: utility },
} satisfies Record<string, { description: string; choose: (c: Scored[], p: PolicyParams) => Choice }>;

export type PolicyName = keyof typeof policies;
export const POLICY_NAMES = Object.keys(policies) as PolicyName[];

export function isPolicy(s: string): s is PolicyName {
  return Object.hasOwn(policies, s);
}

/** `auto` → undefined (the project's default); `auto:<policy>` → that policy; anything else → not routed. */
export function parseAutoModel(model: string): { routed: false } | { routed: true; policy: PolicyName | undefined } {
  if (model === 'auto') return { routed: true, policy: undefined };
  if (!model.startsWith('auto:')) return { routed: false };
  const name = model.slice(5);
  if (!isPolicy(name)) throw new Error(`unknown routing policy "${name}"; known: ${POLICY_NAMES.join(', ')}`);
  return { routed: true, policy: name };
}
