// The alert configuration form: field specs mirroring the server's schema
// (src/core/schemas/alerts.ts and src/alerts/settings.ts), client-side validation with the same
// bounds and messages, and the mapping of server field errors back onto the form. Pure.

export type FieldKind = 'url' | 'secret' | 'bool' | 'num' | 'int';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  group: 'Channels' | 'Hallucinations' | 'Cost' | 'Latency and errors' | 'Windows';
  help?: string;
  min?: number;
  max?: number;
  /** strictly greater than min */
  exclusiveMin?: boolean;
  /** an empty value means null */
  nullable?: boolean;
  unit?: string;
}

export const ALERT_FIELDS: FieldSpec[] = [
  { name: 'slack_enabled', label: 'Send to Slack', kind: 'bool', group: 'Channels' },
  { name: 'slack_webhook_url', label: 'Slack webhook URL', kind: 'url', group: 'Channels', nullable: true, help: 'An incoming-webhook URL; stored encrypted and shown masked.' },
  { name: 'webhook_enabled', label: 'Send to a signed webhook', kind: 'bool', group: 'Channels' },
  { name: 'webhook_url', label: 'Webhook URL', kind: 'url', group: 'Channels', nullable: true },
  { name: 'webhook_secret', label: 'Webhook signing secret', kind: 'secret', group: 'Channels', nullable: true, min: 16, max: 256, help: '16–256 characters; signs X-Aether-Signature with HMAC-SHA256.' },

  { name: 'hallucination_alerts_enabled', label: 'Hallucination alerts', kind: 'bool', group: 'Hallucinations' },
  { name: 'hallucination_threshold', label: 'Faithfulness threshold', kind: 'num', group: 'Hallucinations', min: 0, max: 1, help: 'A trace whose faithfulness is below this counts as hallucinated (0–1).' },
  { name: 'hallucination_rate_threshold', label: 'Hallucination rate threshold', kind: 'num', group: 'Hallucinations', min: 0, max: 1, help: 'Alert when the share of hallucinated traces in the window is, with confidence, above this (0–1).' },
  { name: 'hallucination_per_trace_alerts', label: 'Also alert on every hallucinated trace', kind: 'bool', group: 'Hallucinations' },

  { name: 'daily_cost_budget_usd', label: 'Daily budget (project)', kind: 'num', group: 'Cost', min: 0, nullable: true, unit: 'USD', help: 'Warning at 80%, critical at 100% of a UTC day. Empty: no budget.' },
  { name: 'daily_cost_budget_per_user_usd', label: 'Daily budget per user', kind: 'num', group: 'Cost', min: 0, nullable: true, unit: 'USD' },
  { name: 'daily_cost_budget_per_model_usd', label: 'Daily budget per model', kind: 'num', group: 'Cost', min: 0, nullable: true, unit: 'USD' },
  { name: 'cost_spike_alerts_enabled', label: 'Cost spike alerts', kind: 'bool', group: 'Cost' },
  { name: 'cost_spike_factor', label: 'Spike factor', kind: 'num', group: 'Cost', min: 1, max: 1000, unit: '×', help: 'Last hour vs the median of the same hour on the previous 7 days.' },
  { name: 'cost_spike_min_usd', label: 'Spike baseline floor', kind: 'num', group: 'Cost', min: 0, unit: 'USD' },

  { name: 'latency_alerts_enabled', label: 'Latency alerts', kind: 'bool', group: 'Latency and errors' },
  { name: 'latency_p95_threshold_ms', label: 'p95 latency threshold', kind: 'num', group: 'Latency and errors', min: 0, exclusiveMin: true, unit: 'ms' },
  { name: 'error_rate_alerts_enabled', label: 'Error rate alerts', kind: 'bool', group: 'Latency and errors' },
  { name: 'error_rate_threshold', label: 'Error rate threshold', kind: 'num', group: 'Latency and errors', min: 0, max: 1, help: 'Share of error traces in the window (0–1).' },

  { name: 'window_minutes', label: 'Window', kind: 'int', group: 'Windows', min: 1, max: 1440, unit: 'min' },
  { name: 'min_samples', label: 'Minimum samples', kind: 'int', group: 'Windows', min: 1, max: 100_000, help: 'Optional extra floor: fewer traces in the window never fire. Rate rules already wait for a confident burst.' },
  { name: 'confidence', label: 'Confidence', kind: 'num', group: 'Windows', min: 0.5, max: 0.999, help: 'A rate alert fires when the lower bound of the rate’s interval at this confidence is above its threshold (0.5–0.999).' },
  { name: 'resolve_hysteresis', label: 'Resolve margin', kind: 'num', group: 'Windows', min: 0, max: 0.9, help: 'An open rate or latency alert resolves once the value is at or below threshold × (1 − this).' },
  { name: 'cooldown_minutes', label: 'Cooldown', kind: 'int', group: 'Windows', min: 0, max: 10_080, unit: 'min', help: 'After an incident resolves, it cannot fire again for this long.' },
];

export const ALERT_RULES = ['hallucination_rate', 'hallucination', 'cost_budget', 'cost_spike', 'latency_p95', 'error_rate'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** Form state: text for text and number inputs, booleans for checkboxes, and the severity overrides. */
export interface AlertForm {
  values: Record<string, string | boolean>;
  severity: Record<string, string>;
}

/** Server config → form state. */
export function toForm(config: Record<string, unknown>): AlertForm {
  const values: Record<string, string | boolean> = {};
  for (const f of ALERT_FIELDS) {
    const v = config[f.name];
    values[f.name] = f.kind === 'bool' ? v === true : v === null || v === undefined ? '' : String(v);
  }
  const sev = (config.severity && typeof config.severity === 'object' ? config.severity : {}) as Record<string, unknown>;
  const severity: Record<string, string> = {};
  for (const [k, v] of Object.entries(sev)) if (typeof v === 'string') severity[k] = v;
  return { values, severity };
}

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    return false;
  }
};

/**
 * Validate the form. `unchanged` holds the values as loaded: a masked secret sent back unchanged
 * keeps the stored one, so it is not checked. Returns the request body, or field errors.
 */
export function validateAlertForm(form: AlertForm, unchanged: Record<string, string | boolean> = {}): { body?: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const f of ALERT_FIELDS) {
    const raw = form.values[f.name];
    if (f.kind === 'bool') {
      body[f.name] = raw === true;
      continue;
    }
    const s = typeof raw === 'string' ? raw.trim() : '';
    if (s === '') {
      if (f.nullable) body[f.name] = null;
      else errors[f.name] = 'is required';
      continue;
    }
    if (f.kind === 'url' || f.kind === 'secret') {
      const masked = unchanged[f.name] !== undefined && unchanged[f.name] !== '' && s === unchanged[f.name];
      if (!masked) {
        if (f.kind === 'url' && !isHttpUrl(s)) errors[f.name] = 'must be an http(s) URL';
        if (f.kind === 'secret' && (s.length < (f.min ?? 0) || s.length > (f.max ?? Infinity))) errors[f.name] = `must be ${f.min}–${f.max} characters`;
      }
      body[f.name] = s;
      continue;
    }
    const n = Number(s);
    if (!Number.isFinite(n)) {
      errors[f.name] = 'must be a number';
      continue;
    }
    if (f.kind === 'int' && !Number.isInteger(n)) errors[f.name] = 'must be a whole number';
    else if (f.min !== undefined && (f.exclusiveMin ? n <= f.min : n < f.min)) errors[f.name] = f.exclusiveMin ? `must be greater than ${f.min}` : `must be at least ${f.min}`;
    else if (f.max !== undefined && n > f.max) errors[f.name] = `must be at most ${f.max}`;
    body[f.name] = n;
  }
  // Cross-field rules of the server (src/alerts/settings.ts).
  if (body.slack_enabled === true && !body.slack_webhook_url && !errors.slack_webhook_url) errors.slack_webhook_url = 'is required when Slack is enabled';
  if (body.webhook_enabled === true && !body.webhook_url && !errors.webhook_url) errors.webhook_url = 'is required when the webhook is enabled';
  const severity: Record<string, string> = {};
  for (const [k, v] of Object.entries(form.severity)) {
    if (!v) continue;
    if (!(SEVERITIES as readonly string[]).includes(v)) errors[`severity.${k}`] = 'must be info, warning or critical';
    else severity[k] = v;
  }
  body.severity = severity;
  return Object.keys(errors).length ? { errors } : { body, errors };
}

/** A server 400's `details.issues` (or its message) → errors per form field. */
export function serverFieldErrors(err: { message: string; details?: Record<string, unknown> | undefined }): Record<string, string> {
  const out: Record<string, string> = {};
  const issues = (err.details as { issues?: unknown } | undefined)?.issues;
  if (Array.isArray(issues)) {
    for (const i of issues) {
      if (i && typeof i === 'object' && typeof (i as { field?: unknown }).field === 'string') {
        const { field, message } = i as { field: string; message?: string };
        const key = field.split('.')[0] === 'severity' ? field : field.split('.')[0]!;
        out[key || '_form'] = String(message ?? 'is invalid');
      }
    }
    if (Object.keys(out).length) return out;
  }
  // Fall back to "field: message; field: message".
  for (const part of err.message.split('; ')) {
    const m = /^([a-z_][a-z0-9_.]*): (.+)$/i.exec(part);
    if (m) out[m[1]!.split('.')[0]!] = m[2]!;
  }
  if (!Object.keys(out).length) out._form = err.message;
  return out;
}
