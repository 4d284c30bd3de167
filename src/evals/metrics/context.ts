import { notApplicable, unitScore, type EvalTrace, type Metric, type MetricResult } from '../contract.js';
import { askJson } from '../judge/structured.js';
import { attributionPrompt, attributionSchema, usefulnessPrompt, usefulnessSchema } from '../judge/prompts.js';
import { contentTokens, coverage, sentences } from '../text.js';

/** Average precision over ranked relevance verdicts (RAGAS context precision). */
export function averagePrecision(verdicts: number[]): number {
  let hits = 0;
  let sum = 0;
  verdicts.forEach((v, i) => {
    if (v) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return hits === 0 ? 0 : sum / hits;
}

const USEFUL_COVERAGE = 0.3;
const ATTRIBUTED_COVERAGE = 0.5;

/** RAGAS context precision: are the useful contexts ranked first? Against the reference when present. */
export const contextPrecision: Metric = {
  name: 'context_precision',
  description: 'Average precision of the retrieved contexts’ ranking, judged against the reference answer (or the response when none)',
  higherIsBetter: true,
  requires: { contexts: true },
  async evaluate(trace, deps): Promise<MetricResult> {
    if (trace.contexts.length === 0) return notApplicable('the trace has no contexts');
    const answer = trace.reference ?? trace.response;
    if (!answer?.trim()) return notApplicable('the trace has neither a reference answer nor a response');
    const against = trace.reference ? 'reference' : 'response';
    if (deps.judge) {
      const evaluator = `judge:${deps.judge.model}`;
      const r = await askJson(deps.judge, usefulnessPrompt(trace.query, answer, trace.contexts.map((c) => c.text)), usefulnessSchema);
      if (!r.ok) return { ...notApplicable(r.reason, evaluator, 'judge-1'), cost_usd: r.spend.cost_usd, tokens: r.spend.tokens };
      const verdicts = trace.contexts.map((_, i) => r.value.verdicts[i]?.verdict ?? 0);
      const score = unitScore(averagePrecision(verdicts));
      return {
        score,
        reason: `${verdicts.filter(Boolean).length} of ${verdicts.length} contexts were useful for the ${against}`,
        details: { against, verdicts: r.value.verdicts },
        evaluator,
        version: 'judge-1',
        cost_usd: r.spend.cost_usd,
        tokens: r.spend.tokens,
      };
    }
    const answerTokens = [...new Set(contentTokens(answer))];
    const verdicts = trace.contexts.map((c) => (coverage(answerTokens, new Set(contentTokens(c.text))) >= USEFUL_COVERAGE ? 1 : 0));
    return {
      score: unitScore(averagePrecision(verdicts)),
      reason: `${verdicts.filter(Boolean).length} of ${verdicts.length} contexts share at least ${USEFUL_COVERAGE * 100}% of the ${against}'s content words`,
      details: { against, verdicts, method: 'lexical' },
      evaluator: 'local',
      version: '1',
    };
  },
};

function referenceSentences(t: EvalTrace): string[] {
  return t.reference ? sentences(t.reference) : [];
}

/** RAGAS context recall: share of the reference answer's sentences the contexts support. */
export const contextRecall: Metric = {
  name: 'context_recall',
  description: 'Share of the reference answer’s sentences attributable to the retrieved contexts (needs a reference answer)',
  higherIsBetter: true,
  requires: { contexts: true, reference: true },
  async evaluate(trace, deps): Promise<MetricResult> {
    if (!trace.reference?.trim()) return notApplicable('context recall needs a reference answer: send `reference` with the trace');
    if (trace.contexts.length === 0) return notApplicable('the trace has no contexts');
    if (deps.judge) {
      const evaluator = `judge:${deps.judge.model}`;
      const r = await askJson(deps.judge, attributionPrompt(trace.query, trace.reference, trace.contexts.map((c) => c.text)), attributionSchema);
      if (!r.ok) return { ...notApplicable(r.reason, evaluator, 'judge-1'), cost_usd: r.spend.cost_usd, tokens: r.spend.tokens };
      const n = r.value.sentences.length;
      if (n === 0) return { ...notApplicable('the judge found no sentences in the reference', evaluator, 'judge-1'), cost_usd: r.spend.cost_usd, tokens: r.spend.tokens };
      const hit = r.value.sentences.filter((s) => s.attributed === 1).length;
      return {
        score: unitScore(hit / n),
        reason: `${hit} of ${n} reference sentences are attributable to the contexts`,
        details: { sentences: r.value.sentences },
        evaluator,
        version: 'judge-1',
        cost_usd: r.spend.cost_usd,
        tokens: r.spend.tokens,
      };
    }
    const ctx = new Set(trace.contexts.flatMap((c) => contentTokens(c.text)));
    const sents = referenceSentences(trace).map((s) => ({ sentence: s, coverage: coverage(contentTokens(s), ctx) }));
    const scored = sents.filter((s) => contentTokens(s.sentence).length > 0);
    if (scored.length === 0) return notApplicable('the reference answer has no content words');
    const hit = scored.filter((s) => s.coverage >= ATTRIBUTED_COVERAGE).length;
    return {
      score: unitScore(hit / scored.length),
      reason: `${hit} of ${scored.length} reference sentences have at least ${ATTRIBUTED_COVERAGE * 100}% of their content words in the contexts`,
      details: { sentences: scored.map((s) => ({ ...s, attributed: s.coverage >= ATTRIBUTED_COVERAGE })), method: 'lexical' },
      evaluator: 'local',
      version: '1',
    };
  },
};
