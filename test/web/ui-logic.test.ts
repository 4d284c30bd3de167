// Pure logic of the dashboard: windowed rendering, the span waterfall, alert-config validation,
// gateway statistics, chart helpers and formatting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nearEnd, scrollToRow, visibleWindow } from '../../web/src/lib/vwindow.js';
import { layoutWaterfall } from '../../web/src/lib/waterfall.js';
import { ALERT_FIELDS, serverFieldErrors, toForm, validateAlertForm } from '../../web/src/lib/alert-config.js';
import { gatewayStats, percentile } from '../../web/src/lib/gateway-stats.js';
import { isolatedPoints } from '../../web/src/lib/series.js';
import { bucketFor, ms, pct, usd } from '../../web/src/lib/format.js';
import { forecastPending } from '../../web/src/lib/forecast-note.js';
import { DEFAULT_ALERT_CONFIG, alertConfigSchema } from '../../src/core/schemas/alerts.js';

describe('virtual window', () => {
  it('renders only the rows in view plus overscan, with spacers for the rest', () => {
    const w = visibleWindow({ count: 10_000, rowHeight: 40, scrollTop: 200_000, viewport: 600, overscan: 5 });
    assert.equal(w.total, 400_000);
    assert.equal(w.start, 4995);
    assert.equal(w.end, 5000 + 16 + 5);
    assert.equal(w.before, w.start * 40);
    assert.equal(w.after, (10_000 - w.end) * 40);
    assert.equal(w.before + (w.end - w.start) * 40 + w.after, w.total, 'spacers and rows add up to the full height');
    assert.ok(w.end - w.start < 40, 'a few dozen DOM rows for 10,000');
  });

  it('clamps at both ends and handles empty lists and a scroll past the end', () => {
    assert.deepEqual(visibleWindow({ count: 0, rowHeight: 40, scrollTop: 0, viewport: 600 }), { start: 0, end: 0, before: 0, after: 0, total: 0 });
    const top = visibleWindow({ count: 100, rowHeight: 40, scrollTop: -50, viewport: 400, overscan: 3 });
    assert.equal(top.start, 0);
    assert.equal(top.end, 14);
    const bottom = visibleWindow({ count: 100, rowHeight: 40, scrollTop: 999_999, viewport: 400, overscan: 3 });
    assert.equal(bottom.end, 100);
    assert.equal(bottom.after, 0);
    assert.equal(bottom.start, 90 - 3);
    const few = visibleWindow({ count: 3, rowHeight: 40, scrollTop: 0, viewport: 800 });
    assert.deepEqual([few.start, few.end], [0, 3]);
  });

  it('scrolls a row into view only when it is not', () => {
    assert.equal(scrollToRow(5, 40, 0, 400), 0, 'visible: no change');
    assert.equal(scrollToRow(20, 40, 0, 400), 21 * 40 - 400, 'below: bottom-align');
    assert.equal(scrollToRow(2, 40, 400, 400), 80, 'above: top-align');
  });

  it('asks for the next page near the end', () => {
    assert.equal(nearEnd(0, 600, 8000, 600), false);
    assert.equal(nearEnd(6900, 600, 8000, 600), true);
  });
});

describe('span waterfall', () => {
  const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const span = (id: string, parent: string | null, start: number, end: number | null, name = id) => ({ id, parent_id: parent, name, kind: 'other', start_time: t(start), end_time: end === null ? null : t(end) });

  it('orders spans depth-first by start time with depth, offset and width', () => {
    const { rows, totalMs } = layoutWaterfall([span('llm', 'root', 300, 1000), span('root', null, 0, 1000), span('search', 'root', 20, 280), span('embed', 'search', 20, 60)]);
    assert.equal(totalMs, 1000);
    assert.deepEqual(rows.map((r) => [r.span.id, r.depth]), [['root', 0], ['search', 1], ['embed', 2], ['llm', 1]]);
    const llm = rows.find((r) => r.span.id === 'llm')!;
    assert.equal(llm.offset, 0.3);
    assert.equal(llm.width, 0.7);
    assert.equal(llm.durationMs, 700);
  });

  it('keeps orphans and spans without an end, and survives cycles', () => {
    const { rows } = layoutWaterfall([span('a', 'missing', 0, 100), span('b', 'a', 50, null), { ...span('c', 'd', 10, 20) }, { ...span('d', 'c', 10, 20) }]);
    assert.deepEqual(rows.map((r) => r.span.id).sort(), ['a', 'b', 'c', 'd']);
    assert.equal(rows.find((r) => r.span.id === 'b')!.durationMs, 0);
    assert.deepEqual(layoutWaterfall([]), { rows: [], totalMs: 0, start: 0 });
  });
});

describe('alert config form', () => {
  it('mirrors every field of the server schema', () => {
    const server = Object.keys(alertConfigSchema.shape).filter((k) => k !== 'severity').sort();
    assert.deepEqual(ALERT_FIELDS.map((f) => f.name).sort(), server);
  });

  it('accepts the defaults, and the body it builds passes the server schema', () => {
    const r = validateAlertForm(toForm(DEFAULT_ALERT_CONFIG as unknown as Record<string, unknown>));
    assert.deepEqual(r.errors, {});
    assert.deepEqual(alertConfigSchema.parse(r.body), DEFAULT_ALERT_CONFIG);
  });

  it('rejects what the server rejects, field by field', () => {
    const f = toForm(DEFAULT_ALERT_CONFIG as unknown as Record<string, unknown>);
    const bad = {
      ...f,
      values: { ...f.values, hallucination_threshold: '1.5', latency_p95_threshold_ms: '0', window_minutes: '2.5', min_samples: 'abc', cooldown_minutes: '', slack_enabled: true, slack_webhook_url: '', webhook_url: 'ftp://x', webhook_secret: 'short', cost_spike_factor: '0.5' },
      severity: { latency_p95: 'loud' },
    };
    const r = validateAlertForm(bad);
    assert.equal(r.body, undefined);
    assert.deepEqual(r.errors, {
      hallucination_threshold: 'must be at most 1',
      latency_p95_threshold_ms: 'must be greater than 0',
      window_minutes: 'must be a whole number',
      min_samples: 'must be a number',
      cooldown_minutes: 'is required',
      slack_webhook_url: 'is required when Slack is enabled',
      webhook_url: 'must be an http(s) URL',
      webhook_secret: 'must be 16–256 characters',
      cost_spike_factor: 'must be at least 1',
      'severity.latency_p95': 'must be info, warning or critical',
    });
    // Each of those is also a 400 on the server.
    const server = alertConfigSchema.safeParse({ hallucination_threshold: 1.5, latency_p95_threshold_ms: 0, window_minutes: 2.5, webhook_url: 'ftp://x', webhook_secret: 'short', cost_spike_factor: 0.5, severity: { latency_p95: 'loud' } });
    assert.equal(server.success, false);
    assert.deepEqual(new Set(server.error!.issues.map((i) => i.path.join('.'))), new Set(['hallucination_threshold', 'latency_p95_threshold_ms', 'window_minutes', 'webhook_url', 'webhook_secret', 'cost_spike_factor', 'severity.latency_p95']));
  });

  it('sends a masked secret back unchanged without checking it', () => {
    const f = toForm({ ...DEFAULT_ALERT_CONFIG, slack_enabled: true, slack_webhook_url: 'https://hooks.slack.com/s…****', webhook_secret: '****' });
    const r = validateAlertForm(f, f.values);
    assert.deepEqual(r.errors, {});
    assert.equal(r.body!.slack_webhook_url, 'https://hooks.slack.com/s…****');
    assert.equal(r.body!.webhook_secret, '****');
  });

  it('maps server field errors onto the form', () => {
    assert.deepEqual(serverFieldErrors({ message: 'x', details: { issues: [{ field: 'hallucination_threshold', message: 'Too big' }, { field: 'severity.error_rate', message: 'Invalid option' }] } }), {
      hallucination_threshold: 'Too big',
      'severity.error_rate': 'Invalid option',
    });
    assert.deepEqual(serverFieldErrors({ message: 'slack_webhook_url: is required when slack_enabled is true' }), { slack_webhook_url: 'is required when slack_enabled is true' });
    assert.deepEqual(serverFieldErrors({ message: 'Something else' }), { _form: 'Something else' });
  });
});

describe('gateway stats from traces', () => {
  const tr = (over: Record<string, unknown>, meta: Record<string, unknown>) => ({ id: String(Math.random()), timestamp: new Date().toISOString(), model: 'openai/gpt-4o-mini', provider: 'openai', status: 'success', error: null, latency_ms: 100, cost_usd: 0.001, ...over, metadata: meta });
  it('counts requests, cache hits, fallbacks, retries and open circuits of gateway traces only', () => {
    const s = gatewayStats([
      tr({}, { source: 'gateway', cache: 'hit', attempts: 1 }),
      tr({}, { source: 'gateway', cache: 'miss', attempts: 1 }),
      tr({}, { source: 'gateway', cache: 'miss', attempts: 2, fallback_used: true, requested_model: 'anthropic/claude' }),
      tr({ status: 'error', error: 'openai/gpt-4o is failing and its circuit breaker is open; retry in 30 s', model: null }, { source: 'gateway', cache: 'bypass', attempts: 0, requested_model: 'openai/gpt-4o' }),
      tr({}, { app: 'not the gateway' }),
    ]);
    assert.equal(s.requests, 4);
    assert.equal(s.errors, 1);
    assert.deepEqual(s.cache, { hit: 1, miss: 2, bypass: 1, off: 0 });
    assert.equal(s.cacheHitRate, 1 / 3);
    assert.equal(s.fallbacks, 1);
    assert.equal(s.retried, 1);
    assert.equal(s.circuitOpen, 1);
    assert.deepEqual(s.byModel.map((m) => [m.key, m.requests]), [['openai/gpt-4o-mini', 3], ['openai/gpt-4o', 1]]);
    assert.deepEqual(s.fallbackPairs, [{ from: 'anthropic/claude', to: 'openai/gpt-4o-mini', count: 1 }]);
    assert.equal(gatewayStats([]).cacheHitRate, null);
  });
  it('takes nearest-rank percentiles', () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 0.95), 5);
    assert.equal(percentile([5, 1, 3, 2, 4], 0.5), 3);
    assert.equal(percentile([], 0.5), null);
  });
});

describe('charts and formatting', () => {
  it('finds values no line can show', () => {
    assert.deepEqual(isolatedPoints([null, 1, null, 2, 3, null, 4]), [1, 6]);
    assert.deepEqual(isolatedPoints([1]), [0]);
    assert.deepEqual(isolatedPoints([1, 2]), []);
  });
  it('picks buckets and formats numbers', () => {
    assert.deepEqual((['15m', '1h', '6h', '24h', '7d', '30d'] as const).map(bucketFor), ['minute', 'minute', 'minute', 'hour', 'hour', 'day']);
    assert.equal(usd(1234.5), '$1,234.50');
    assert.equal(usd(0.00028), '$0.00028');
    assert.equal(usd(0), '$0.00');
    assert.equal(usd(null), '—');
    assert.equal(ms(850), '850 ms');
    assert.equal(ms(5070), '5.07 s');
    assert.equal(pct(0.033), '3.3%');
  });
});

describe('spend forecast note', () => {
  it('with spend only today, says what was spent instead of "no spend recorded"', () => {
    assert.equal(forecastPending(13.37), '$13.37 spent so far today. The forecast starts once a full UTC day with spend has passed.');
    assert.match(forecastPending(0), /^No spend recorded yet/);
  });
});
