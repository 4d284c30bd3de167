import { severityOf, type AlertRule } from '../contract.js';

/** Each hallucinated trace, when the project asks for per-trace alerts. */
export const hallucinationTrace: AlertRule = {
  type: 'hallucination',
  description: 'A single trace scored faithfulness below hallucination_threshold (opt-in: hallucination_per_trace_alerts)',
  on: ['evaluations'],
  enabled: (c) => c.hallucination_alerts_enabled && c.hallucination_per_trace_alerts,
  async evaluate({ config, trigger, link }) {
    // Each trace is its own incident; nothing to resolve, so it never settles others.
    if (trigger.kind !== 'evaluations') return { firing: [], settles: false };
    const firing = trigger.traces
      .filter((t) => t.faithfulness !== null && t.faithfulness < config.hallucination_threshold)
      .map((t) => ({
        key: `hallucination:${t.traceId}`,
        severity: severityOf(config, 'hallucination', 'warning'),
        title: `Hallucinated answer in trace ${t.traceId}`,
        message: `Faithfulness ${t.faithfulness!.toFixed(2)} is below ${config.hallucination_threshold}.`,
        details: { value: t.faithfulness, threshold: config.hallucination_threshold, link: link(`/traces/${t.traceId}`) },
        traceId: t.traceId,
      }));
    return { firing, settles: false };
  },
};
