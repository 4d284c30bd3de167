import { notApplicable, unitScore, type EvalTrace, type Judge, type Metric, type MetricResult } from '../contract.js';
import { askJson } from '../judge/structured.js';
import { generatedQuestionSchema, questionPrompt } from '../judge/prompts.js';
import { contentTokens } from '../text.js';

const NONCOMMITTAL = /\b(i (do not|don't|cannot|can't) (know|say|answer|help)|i'm not sure|i am not sure|no information|not (enough|sufficient) information|unable to (answer|determine)|as an ai)\b/i;

function termCosine(a: string, b: string): number {
  const count = (t: string[]) => t.reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>());
  const va = count(contentTokens(a));
  const vb = count(contentTokens(b));
  let dot = 0;
  for (const [w, x] of va) dot += x * (vb.get(w) ?? 0);
  const norm = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0));
  const d = norm(va) * norm(vb);
  return d === 0 ? 0 : dot / d;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

async function withJudge(trace: EvalTrace, judge: Judge): Promise<MetricResult> {
  const evaluator = `judge:${judge.model}`;
  const q = await askJson(judge, questionPrompt(trace.response ?? '', trace.contexts.map((c) => c.text)), generatedQuestionSchema);
  if (!q.ok) return { ...notApplicable(q.reason, evaluator, 'judge-1'), cost_usd: q.spend.cost_usd, tokens: q.spend.tokens };
  let similarity: number;
  let method: string;
  let cost = q.spend.cost_usd;
  let tokens = q.spend.tokens;
  if (judge.embed) {
    const e = await judge.embed([trace.query, q.value.question]);
    similarity = cosine(e.vectors[0] ?? [], e.vectors[1] ?? []);
    cost += e.cost_usd ?? 0;
    tokens += e.usage.input_tokens;
    method = 'embedding-cosine';
  } else {
    similarity = termCosine(trace.query, q.value.question);
    method = 'term-cosine';
  }
  const score = unitScore(q.value.noncommittal ? 0 : similarity);
  return {
    score,
    reason: q.value.noncommittal ? 'the answer is noncommittal' : `the answer answers "${q.value.question}" (similarity ${similarity.toFixed(2)} to the question asked)`,
    details: { generated_question: q.value.question, noncommittal: q.value.noncommittal === 1, similarity, method },
    evaluator,
    version: 'judge-1',
    cost_usd: cost,
    tokens,
  };
}

/** RAGAS answer relevancy: how well the response answers the question asked. */
export const answerRelevancy: Metric = {
  name: 'answer_relevancy',
  description: 'How directly the response addresses the question (RAGAS: question regenerated from the answer, compared with the asked one); local variant: term cosine',
  higherIsBetter: true,
  requires: {},
  async evaluate(trace, deps) {
    if (!trace.response?.trim()) return notApplicable('the trace has no response');
    if (!trace.query.trim()) return notApplicable('the trace has no query');
    if (deps.judge) return withJudge(trace, deps.judge);
    const noncommittal = NONCOMMITTAL.test(trace.response);
    const sim = termCosine(trace.query, trace.response);
    // A short direct answer ("Delhi") shares no words with its question; do not call it irrelevant.
    const short = contentTokens(trace.response).length <= 4;
    const score = unitScore(noncommittal ? 0 : short ? Math.max(sim, 0.7) : sim);
    return {
      score,
      reason: noncommittal ? 'the response is noncommittal' : `term similarity between question and response is ${sim.toFixed(2)}${short ? ' (short direct answer)' : ''}`,
      details: { similarity: sim, noncommittal, method: 'term-cosine' },
      evaluator: 'local',
      version: '1',
    };
  },
};
