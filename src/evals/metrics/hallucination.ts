import type { Metric, MetricResult } from '../contract.js';

/** A flag derived from faithfulness: 1 (hallucinated) when it falls below the project's threshold. */
export const hallucination: Metric = {
  name: 'hallucination',
  description: 'Flag: 1 when faithfulness is below the project’s hallucination threshold (default 0.5), else 0',
  higherIsBetter: false,
  requires: { contexts: true },
  derivedFrom: ['faithfulness'],
  async evaluate() {
    throw new Error('hallucination is derived from faithfulness');
  },
  derive(results, deps): MetricResult {
    const f = results.get('faithfulness');
    const threshold = deps.config.hallucination_threshold;
    if (!f || f.score === null) {
      return { score: null, label: 'not_applicable', reason: f?.reason ?? 'faithfulness was not evaluated', evaluator: f?.evaluator ?? 'local', version: `from-${f?.version ?? 'none'}` };
    }
    const flagged = f.score < threshold;
    const claims = (f.details?.claims as Array<{ supported: boolean }> | undefined) ?? [];
    return {
      score: flagged ? 1 : 0,
      label: flagged ? 'hallucinated' : 'faithful',
      reason: flagged
        ? `faithfulness ${f.score.toFixed(2)} is below the threshold ${threshold}: ${f.reason}`
        : `faithfulness ${f.score.toFixed(2)} meets the threshold ${threshold}`,
      details: { faithfulness: f.score, threshold, unsupported_claims: claims.filter((c) => !c.supported) },
      evaluator: f.evaluator,
      version: `from-${f.version}`,
    };
  },
};
