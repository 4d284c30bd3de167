import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { boundedNumber, dbText, int4, jsonObject, VALUE_LIMITS, type CustomMetricConfig } from '../../core/index.js';
import { notApplicable, unitScore, type Metric } from '../contract.js';

// The endpoint's answer is stored like any input: the same rules as ingest (core/schemas/safe.ts).
const replySchema = z.object({
  score: z.number().nullable(),
  label: dbText({ max: 100 }).nullable().optional(),
  reason: dbText({ max: 10_000 }).optional(),
  details: jsonObject().optional(),
  cost_usd: boundedNumber(VALUE_LIMITS.usd).optional(),
  tokens: int4().optional(),
});

/** Retryable failure of a custom webhook metric (the job is retried). */
export class WebhookMetricError extends Error {
  override name = 'WebhookMetricError';
}

/**
 * A project-defined metric served over HTTP: Aether POSTs `{trace}` and expects
 * `{score: 0..1|null, label?, reason?, details?}`. With a secret, the request carries
 * `X-Aether-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
 */
export function webhookMetric(cfg: Extract<CustomMetricConfig, { type: 'webhook' }>, doFetch: typeof fetch = fetch): Metric {
  return {
    name: cfg.name,
    description: `custom metric served by ${new URL(cfg.url).host}`,
    higherIsBetter: true,
    requires: {},
    async evaluate(trace) {
      const body = JSON.stringify({ metric: cfg.name, trace });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cfg.secret) {
        const t = Math.floor(Date.now() / 1000);
        headers['x-aether-signature'] = `t=${t},v1=${createHmac('sha256', cfg.secret).update(`${t}.${body}`).digest('hex')}`;
      }
      let res: Response;
      try {
        res = await doFetch(cfg.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(cfg.timeout_ms) });
      } catch (e) {
        // fetch throws a TypeError without a cause when it cannot even build the request (a bad
        // URL): that fails the same way every time, so it is an answer, not a reason to retry.
        if (e instanceof TypeError && e.cause === undefined) return notApplicable(`custom metric ${cfg.name} cannot be called: ${e.message}`, `webhook:${cfg.name}`);
        throw new WebhookMetricError(`custom metric ${cfg.name}: ${(e as Error).message}`);
      }
      const text = await res.text().catch(() => '');
      if (res.status === 429 || res.status >= 500) throw new WebhookMetricError(`custom metric ${cfg.name} answered ${res.status}`);
      if (!res.ok) return notApplicable(`custom metric endpoint answered ${res.status}: ${text.slice(0, 200)}`, `webhook:${cfg.name}`);
      let parsed;
      try {
        parsed = replySchema.safeParse(JSON.parse(text));
      } catch {
        return notApplicable('custom metric endpoint did not answer JSON', `webhook:${cfg.name}`);
      }
      if (!parsed.success) return notApplicable(`custom metric answer is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, `webhook:${cfg.name}`);
      const r = parsed.data;
      return {
        score: r.score === null ? null : unitScore(r.score),
        label: r.label ?? null,
        reason: r.reason ?? '',
        details: r.details ?? {},
        cost_usd: r.cost_usd,
        tokens: r.tokens,
        evaluator: `webhook:${cfg.name}`,
        version: '1',
      };
    },
  };
}
