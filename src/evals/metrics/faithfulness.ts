import { detectFaithfulness, DETECTOR_VERSION } from '../detector/index.js';
import { notApplicable, unitScore, type EvalTrace, type Judge, type Metric, type MetricResult } from '../contract.js';
import { askJson } from '../judge/structured.js';
import { statementsPrompt, verdictsPrompt, statementsSchema, verdictsSchema } from '../judge/prompts.js';

const JUDGE_VERSION = 'judge-1';

/** One checked statement; the same shape from the judge and the local detector. */
export interface ClaimDetail {
  text: string;
  supported: boolean;
  reason: string;
  score?: number;
  /** Offsets into the response, when the statement is a span of it. */
  start?: number;
  end?: number;
}

function labelFor(score: number | null, threshold: number): string | null {
  return score === null ? 'not_applicable' : score >= threshold ? 'supported' : 'unsupported';
}

async function withJudge(trace: EvalTrace, judge: Judge, threshold: number): Promise<MetricResult> {
  const evaluator = `judge:${judge.model}`;
  const response = trace.response ?? '';
  const s = await askJson(judge, statementsPrompt(trace.query, response), statementsSchema);
  if (!s.ok) return { ...notApplicable(s.reason, evaluator, JUDGE_VERSION), cost_usd: s.spend.cost_usd, tokens: s.spend.tokens };
  const statements = s.value.statements;
  if (statements.length === 0) {
    return { ...notApplicable('the judge found no factual statements in the response', evaluator, JUDGE_VERSION), cost_usd: s.spend.cost_usd, tokens: s.spend.tokens };
  }
  const v = await askJson(judge, verdictsPrompt(trace.contexts.map((c) => c.text), statements), verdictsSchema);
  const spend = { cost_usd: s.spend.cost_usd + v.spend.cost_usd, tokens: s.spend.tokens + v.spend.tokens };
  if (!v.ok) return { ...notApplicable(v.reason, evaluator, JUDGE_VERSION), ...spend };
  const claims: ClaimDetail[] = statements.map((text, i) => {
    const verdict = v.value.verdicts[i];
    const start = response.indexOf(text);
    return {
      text,
      supported: verdict?.verdict === 1,
      reason: verdict?.reason ?? 'the judge gave no verdict for this statement',
      ...(start >= 0 ? { start, end: start + text.length } : {}),
    };
  });
  const supported = claims.filter((c) => c.supported).length;
  const score = unitScore(supported / claims.length);
  const unsupported = claims.filter((c) => !c.supported);
  return {
    score,
    label: labelFor(score, threshold),
    reason: unsupported.length
      ? `${unsupported.length} of ${claims.length} statements are not supported by the contexts: ${unsupported.map((c) => `"${c.text}"`).join('; ')}`
      : `all ${claims.length} statements are supported by the contexts`,
    details: { claims, method: 'ragas-statements-nli' },
    evaluator,
    version: JUDGE_VERSION,
    ...spend,
  };
}

function local(trace: EvalTrace, threshold: number): MetricResult {
  const r = detectFaithfulness({ question: trace.query, response: trace.response ?? '', contexts: trace.contexts.map((c) => c.text) });
  const score = r.score === null ? null : unitScore(r.score);
  return {
    score,
    label: labelFor(score, threshold),
    reason: r.reason,
    details: { claims: r.claims satisfies ClaimDetail[], method: 'local-detector' },
    evaluator: 'local',
    version: `local-${DETECTOR_VERSION}`,
  };
}

/** RAGAS faithfulness: the share of the response's statements that the contexts support. */
export const faithfulness: Metric = {
  name: 'faithfulness',
  description: 'Share of the response’s statements supported by the retrieved contexts (RAGAS); LLM judge or local detector',
  higherIsBetter: true,
  requires: { contexts: true },
  async evaluate(trace, deps) {
    if (!trace.response?.trim()) return notApplicable('the trace has no response to check');
    if (trace.contexts.length === 0 || trace.contexts.every((c) => !c.text.trim())) {
      return notApplicable('the trace has no contexts to check the response against');
    }
    const threshold = deps.config.hallucination_threshold;
    return deps.judge ? withJudge(trace, deps.judge, threshold) : local(trace, threshold);
  },
};
