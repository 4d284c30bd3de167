import { notApplicable, unitScore, type Metric } from '../contract.js';
import { contentTokens, coverage } from '../text.js';

/** The seed's token overlap: share of the response's content words that appear in the contexts. */
export const tokenOverlap: Metric = {
  name: 'token_overlap',
  description: 'Share of the response’s content words found in the contexts',
  higherIsBetter: true,
  requires: { contexts: true },
  async evaluate(trace) {
    if (!trace.response?.trim()) return notApplicable('the trace has no response');
    if (trace.contexts.length === 0) return notApplicable('the trace has no contexts');
    const tokens = contentTokens(trace.response);
    if (tokens.length === 0) return notApplicable('the response has no content words');
    const ctx = new Set(trace.contexts.flatMap((c) => contentTokens(c.text)));
    const score = unitScore(coverage(tokens, ctx));
    const missing = [...new Set(tokens.filter((t) => !ctx.has(t)))].slice(0, 20);
    return {
      score,
      reason: `${Math.round((score ?? 0) * 100)}% of the response's content words appear in the contexts`,
      details: { response_tokens: tokens.length, missing_tokens: missing },
      evaluator: 'local',
      version: '1',
    };
  },
};
