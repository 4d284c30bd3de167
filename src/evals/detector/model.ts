// Logistic regression over claim features: P(unsupported) per claim; the response's faithfulness is
// the support of its weakest claim. Parameters come from params.json (written by scripts/fit-detector.ts).
import shipped from './params.json' with { type: 'json' };
import { CLAIM_FEATURES, RESPONSE_FEATURES, extractFeatures, indexTexts, type ClaimFeatures, type ResponseFeatures } from './features.js';

export interface DetectorParams {
  version: string;
  /** Feature names (claim features first, then response features) the weights apply to. */
  features: string[];
  /** Standardization: value' = (value - mean) / scale. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** score < threshold ⇒ hallucinated (and a claim with support < threshold is unsupported). */
  threshold: number;
  /** What the parameters were fitted on, and how. */
  fittedOn: string;
  /** Anything else the fit script records (training metrics, settings). */
  notes?: Record<string, unknown>;
}

export interface ClaimVerdict {
  text: string;
  start: number;
  end: number;
  supported: boolean;
  /** Support in 0..1 (1 - P(unsupported)). */
  score: number;
  /** Human-readable, e.g. 'the number "1852" does not appear in the contexts'. */
  reason: string;
}

export interface DetectorResult {
  /** Faithfulness in 0..1; null when it cannot judge. */
  score: number | null;
  reason: string;
  claims: ClaimVerdict[];
}

export interface DetectorInput {
  question?: string | null;
  response: string;
  contexts: string[];
}

const ALL_FEATURES: readonly string[] = [...CLAIM_FEATURES, ...RESPONSE_FEATURES];

/** Check a parsed params.json; throws on anything malformed. */
export function validateParams(raw: unknown): DetectorParams {
  const p = raw as Partial<DetectorParams> | null;
  const fail = (why: string): never => {
    throw new Error(`invalid detector params: ${why}`);
  };
  if (!p || typeof p !== 'object') return fail('not an object');
  if (typeof p.version !== 'string') fail('version');
  if (!Array.isArray(p.features) || p.features.some((f) => !ALL_FEATURES.includes(f))) fail('unknown feature name');
  const n = p.features?.length ?? 0;
  for (const key of ['mean', 'scale', 'weights'] as const) {
    const v = p[key];
    if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail(key);
  }
  if (p.scale?.some((s) => s <= 0)) fail('scale must be positive');
  if (typeof p.bias !== 'number' || !Number.isFinite(p.bias)) fail('bias');
  if (typeof p.threshold !== 'number' || !(p.threshold >= 0 && p.threshold <= 1)) fail('threshold');
  return { fittedOn: '', ...p } as DetectorParams;
}

export const DEFAULT_PARAMS: DetectorParams = validateParams(shipped);
export const DETECTOR_VERSION: string = DEFAULT_PARAMS.version;
export const DEFAULT_THRESHOLD: number = DEFAULT_PARAMS.threshold;

interface Compiled {
  /** For each used feature: where it lives (claim vector or response vector) and its index. */
  slots: Array<{ claim: boolean; index: number; w: number; mean: number; scale: number }>;
  bias: number;
}

const compiledCache = new WeakMap<DetectorParams, Compiled>();

function compile(params: DetectorParams): Compiled {
  const hit = compiledCache.get(params);
  if (hit) return hit;
  const slots = params.features.map((name, k) => {
    const ci = (CLAIM_FEATURES as readonly string[]).indexOf(name);
    const ri = (RESPONSE_FEATURES as readonly string[]).indexOf(name);
    if (ci < 0 && ri < 0) throw new Error(`invalid detector params: unknown feature ${name}`);
    return { claim: ci >= 0, index: ci >= 0 ? ci : ri, w: params.weights[k] ?? 0, mean: params.mean[k] ?? 0, scale: params.scale[k] ?? 1 };
  });
  const c = { slots, bias: params.bias };
  compiledCache.set(params, c);
  return c;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Logit of P(unsupported) for one claim. */
export function claimLogit(params: DetectorParams, claim: ClaimFeatures, r: number[]): number {
  const c = compile(params);
  let z = c.bias;
  for (const s of c.slots) {
    const v = (s.claim ? claim.x[s.index] : r[s.index]) ?? 0;
    z += (s.w * (v - s.mean)) / s.scale;
  }
  return Number.isFinite(z) ? z : 0;
}

/** Response faithfulness from precomputed features: the support of the weakest checkable claim. */
export function scoreFeatures(params: DetectorParams, f: ResponseFeatures): number | null {
  let worst: number | null = null;
  for (const cl of f.claims) {
    if (!cl.checkable) continue;
    const z = claimLogit(params, cl, f.r);
    if (worst === null || z > worst) worst = z;
  }
  return worst === null ? null : 1 - sigmoid(worst);
}

const quote = (xs: string[], max = 3) =>
  xs
    .slice(0, max)
    .map((x) => `"${x}"`)
    .join(', ') + (xs.length > max ? ` and ${xs.length - max} more` : '');

function claimReason(cl: ClaimFeatures, supported: boolean): string {
  const e = cl.evidence;
  if (!cl.checkable) return 'no checkable content';
  const problems: string[] = [];
  if (e.missingNumbers.length === 1) problems.push(`the number ${quote(e.missingNumbers)} does not appear in the contexts`);
  else if (e.missingNumbers.length > 1) problems.push(`the numbers ${quote(e.missingNumbers)} do not appear in the contexts`);
  if (e.missingEntities.length === 1) problems.push(`the name ${quote(e.missingEntities)} does not appear in the contexts`);
  else if (e.missingEntities.length > 1) problems.push(`the names ${quote(e.missingEntities)} do not appear in the contexts`);
  if (e.brokenName) problems.push(`the name "${e.brokenName}" does not appear in the contexts (its words do, apart)`);
  if (e.negationFlip === 'claim') problems.push('it negates what the closest context sentence states');
  else if (e.negationFlip === 'context') problems.push('the closest context sentence states the opposite (negation)');
  if (e.novelWords.length) problems.push(`${e.novelWords.length === 1 ? 'the word' : 'words'} ${quote(e.novelWords)} ${e.novelWords.length === 1 ? 'is' : 'are'} not in the contexts`);
  const covered = `${Math.round(e.coverage * 100)}% of its content words appear in the contexts`;
  if (supported) {
    if (e.contentTokens === 0) return 'a short answer with nothing to contradict the contexts';
    if (cl.claim.questionFocused && e.coverage === 1) return 'the answer appears in the contexts';
    return problems.length ? `supported overall (${covered}), although ${problems[0]}` : `supported: ${covered}`;
  }
  if (problems.length) return problems.slice(0, 2).join('; ');
  if (cl.claim.questionFocused && e.coverage < 1) return 'the answer is not found in the contexts';
  if (e.coverage >= 0.75 && e.bestSentenceCoverage < 0.75) {
    return `${covered}, but no single context sentence states them together (${Math.round(e.bestSentenceCoverage * 100)}% at best)`;
  }
  return `weakly supported: ${covered}`;
}

/**
 * Score how faithful a response is to its contexts, claim by claim. Local and deterministic: no
 * model weights beyond params.json, no network. score is null when there is nothing to judge.
 */
export function detectFaithfulness(input: DetectorInput, params: DetectorParams = DEFAULT_PARAMS): DetectorResult {
  const contexts = (input.contexts ?? []).filter((c) => typeof c === 'string' && c.trim().length > 0);
  if (contexts.length === 0) return { score: null, reason: 'no contexts to check the response against', claims: [] };
  const response = typeof input.response === 'string' ? input.response : '';
  if (response.trim().length === 0) return { score: null, reason: 'the response is empty: nothing to check', claims: [] };
  const f = extractFeatures({ question: input.question, response, contexts }, indexTexts(contexts));
  const claims: ClaimVerdict[] = [];
  let worst: { score: number; reason: string; text: string } | null = null;
  let unsupported = 0;
  let checkable = 0;
  for (const cl of f.claims) {
    const score = cl.checkable ? 1 - sigmoid(claimLogit(params, cl, f.r)) : 1;
    const supported = score >= params.threshold;
    const reason = claimReason(cl, supported);
    claims.push({ text: cl.claim.text, start: cl.claim.start, end: cl.claim.end, supported, score, reason });
    if (!cl.checkable) continue;
    checkable++;
    if (!supported) unsupported++;
    if (!worst || score < worst.score) worst = { score, reason, text: cl.claim.text };
  }
  if (!worst) return { score: null, reason: 'the response makes no checkable claims', claims };
  const reason =
    unsupported === 0
      ? checkable === 1
        ? 'the claim is supported by the contexts'
        : `all ${checkable} claims are supported by the contexts`
      : `${unsupported} of ${checkable} claim${checkable === 1 ? '' : 's'} unsupported; weakest "${clip(worst.text)}": ${worst.reason}`;
  return { score: worst.score, reason, claims };
}

function clip(s: string, max = 80): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
