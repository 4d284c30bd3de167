// Valid-shaped bodies derived from the real schemas (the seed trace body and its extensions,
// nested spans, OTLP/JSON exports, gateway requests, configs). Mutations make them hostile.
import fc from 'fast-check';
import { SPAN_KINDS } from '../../src/core/index.js';
import { cleanId, cleanJson, cleanString, cleanTimestamp } from './values.js';

const money = fc.double({ min: 0, max: 100, noNaN: true, noDefaultInfinity: true });
const tokens = fc.integer({ min: 0, max: 200_000 });
const attributes = fc.dictionary(fc.oneof(cleanId, fc.constantFrom('gen_ai.request.model', 'llm.token_count.prompt')), cleanJson, { maxKeys: 4 });

const leafSpan = fc.record(
  {
    id: cleanId,
    name: cleanString(30),
    kind: fc.constantFrom(...SPAN_KINDS),
    start_time: cleanTimestamp,
    status: fc.constantFrom('success', 'error'),
    model: cleanString(30),
    input_tokens: tokens,
    output_tokens: tokens,
    cost_usd: money,
    input: cleanJson,
    output: cleanJson,
    attributes,
  },
  { requiredKeys: ['name', 'start_time'] },
);

/** A span with up to two levels of children (each level its own ids, so parent links stay unique). */
export const spanBody = fc.tuple(leafSpan, fc.array(fc.tuple(leafSpan, fc.array(leafSpan, { maxLength: 2 })), { maxLength: 3 })).map(([root, kids]) => ({
  ...root,
  spans: kids.map(([k, gk]) => ({ ...k, spans: gk })),
}));

/** The body of POST /api/v1/traces: the seed README's fields plus identity, usage, grouping and spans. */
export const traceBody = fc.record(
  {
    id: fc.tuple(cleanId, fc.nat()).map(([a, n]) => `${a}-${n.toString(36)}`),
    timestamp: cleanTimestamp,
    query: cleanString(200),
    response: fc.option(cleanString(200), { nil: null }),
    contexts: fc.array(fc.record({ text: cleanString(100), source: cleanString(20), score: fc.double({ min: 0, max: 1, noNaN: true }), metadata: fc.dictionary(cleanId, cleanJson, { maxKeys: 2 }) }, { requiredKeys: ['text'] }), { maxLength: 3 }),
    reference: cleanString(50),
    model: fc.oneof(fc.constantFrom('gpt-4o', 'claude-3-5-sonnet', 'mock/echo'), cleanString(30)),
    provider: cleanString(20),
    input_tokens: tokens,
    output_tokens: tokens,
    token_count: tokens,
    latency_ms: fc.double({ min: 0, max: 60_000, noNaN: true }),
    cost_usd: money,
    user_id: cleanString(20),
    session_id: cleanString(20),
    tags: fc.array(cleanString(20), { maxLength: 4 }),
    metadata: fc.dictionary(cleanId, cleanJson, { maxKeys: 4 }),
    status: fc.constantFrom('success', 'error'),
    error: cleanString(40),
    spans: fc.array(spanBody, { maxLength: 2 }),
  },
  { requiredKeys: ['query'] },
).map(uniqueSpanIds);

/** Span ids are unique within a trace (the server refuses a repeat): suffix repeats, walking every level. */
function uniqueSpanIds<T extends { spans?: unknown[] }>(generated: T): T {
  const trace = structuredClone(generated); // fast-check reuses generated values while shrinking: never edit them
  const seen = new Set<string>();
  const walk = (spans: unknown[] | undefined) => {
    for (const s of spans ?? []) {
      const span = s as { id?: string; spans?: unknown[] };
      if (span.id !== undefined) {
        let id = span.id;
        for (let n = 2; seen.has(id); n++) id = `${span.id}-${n}`;
        span.id = id;
        seen.add(id);
      }
      walk(span.spans);
    }
  };
  walk(trace.spans);
  return trace;
}

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const nanos = fc.integer({ min: -86_400_000, max: 0 }).map((dt) => `${BigInt(Date.now() + dt) * 1_000_000n}`);
const anyValue = fc.oneof(
  cleanString(20).map((s) => ({ stringValue: s })),
  fc.integer({ min: 0, max: 100_000 }).map((n) => ({ intValue: String(n) })),
  fc.double({ min: 0, max: 1, noNaN: true }).map((d) => ({ doubleValue: d })),
  fc.boolean().map((b) => ({ boolValue: b })),
  fc.array(cleanString(8), { maxLength: 3 }).map((xs) => ({ arrayValue: { values: xs.map((s) => ({ stringValue: s })) } })),
);
const otlpAttrs = fc.array(
  fc.record({ key: fc.oneof(fc.constantFrom('gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'input.value', 'output.value', 'user.id', 'session.id', 'openinference.span.kind'), cleanId), value: anyValue }),
  { maxLength: 5 },
);

/** An OTLP/JSON ExportTraceServiceRequest with 1–2 traces of 1–3 spans each. */
export const otlpBody = fc
  .array(fc.tuple(hex(16), fc.array(fc.tuple(hex(8), cleanString(20), nanos, otlpAttrs), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 2 })
  .map((traces) => ({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] },
        scopeSpans: [
          {
            scope: { name: 'fuzz', version: '1' },
            spans: traces.flatMap(([traceId, spans]) =>
              spans.map(([spanId, name, start, attrs], i) => ({
                traceId,
                spanId,
                ...(i > 0 ? { parentSpanId: spans[0]![0] } : {}),
                name,
                kind: 1,
                startTimeUnixNano: start,
                endTimeUnixNano: String(BigInt(start) + 1_000_000n),
                attributes: attrs,
                status: { code: 1 },
              })),
            ),
          },
        ],
      },
    ],
  }));

// mock/fail… always fails by design, so clean models never start with it.
const mockModel = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('mock/echo', 'mock/gpt-fuzz') }, { weight: 1, arbitrary: cleanId.filter((m) => !m.startsWith('fail')).map((m) => `mock/${m}`) });
const chatMessage = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: cleanString(80) });

/** POST /v1/chat/completions through the offline mock provider. */
export const chatBody = fc.record(
  {
    model: mockModel,
    messages: fc.tuple(fc.array(chatMessage, { maxLength: 2 }), cleanString(80)).map(([pre, last]) => [...pre, { role: 'user', content: last }]),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    user: cleanString(20),
    metadata: fc.dictionary(cleanId, cleanString(8), { maxKeys: 2 }),
  },
  { requiredKeys: ['model', 'messages'] },
);

/** POST /v1/embeddings. */
export const embeddingsBody = fc.record({ model: mockModel, input: fc.oneof(cleanString(80), fc.array(cleanString(40), { minLength: 1, maxLength: 3 })), user: cleanString(20) }, { requiredKeys: ['model', 'input'] });

/** POST /v1/messages (Anthropic Messages). */
export const messagesBody = fc.record(
  {
    model: mockModel,
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    messages: cleanString(80).map((c) => [{ role: 'user', content: c }]),
    system: cleanString(40),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

// Credentials or NUL in these URLs are hostile cases (see the regression table), not clean ones.
const loopbackUrl = fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1:9/x', 'http://localhost:9/alerts');

/** PUT /api/v1/alert-config/{project}: seed fields plus rules; URLs only ever point at a closed loopback port. */
export const alertConfigBody = fc.record({
  slack_webhook_url: fc.option(loopbackUrl, { nil: null }),
  slack_enabled: fc.boolean(),
  hallucination_threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  hallucination_alerts_enabled: fc.boolean(),
  daily_cost_budget_usd: fc.option(money, { nil: null }),
  cost_spike_alerts_enabled: fc.boolean(),
  latency_p95_threshold_ms: fc.integer({ min: 1, max: 100_000 }),
  latency_alerts_enabled: fc.boolean(),
  window_minutes: fc.integer({ min: 1, max: 1440 }),
  min_samples: fc.integer({ min: 1, max: 1000 }),
  cooldown_minutes: fc.integer({ min: 0, max: 10_000 }),
  severity: fc.dictionary(fc.constantFrom('hallucination_rate', 'latency_p95', 'error_rate'), fc.constantFrom('info', 'warning', 'critical'), { maxKeys: 2 }),
}, { requiredKeys: [] }).map((c) => (c.slack_enabled && !c.slack_webhook_url ? { ...c, slack_enabled: false } : c)); // Slack on needs its URL

/** PUT /api/v1/projects/{id}/evaluation-config. */
export const evaluationConfigBody = fc.record({
  enabled: fc.boolean(),
  metrics: fc.subarray(['faithfulness', 'hallucination', 'token_overlap', 'answer_relevancy', 'pii', 'toxicity']),
  sampling_rate: fc.double({ min: 0, max: 1, noNaN: true }),
  hallucination_threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  evaluator: fc.constantFrom('auto', 'local'),
  thresholds: fc.dictionary(fc.constantFrom('faithfulness', 'pii'), fc.double({ min: 0, max: 1, noNaN: true }), { maxKeys: 2 }),
  custom_metrics: fc.array(fc.record({ type: fc.constant('webhook'), name: fc.stringMatching(/^[a-z0-9_]{0,10}$/).map((n) => `cm_${n}`), url: loopbackUrl, timeout_ms: fc.integer({ min: 100, max: 500 }) }), { maxLength: 1 }),
}, { requiredKeys: [] });

/** POST /api/v1/budgets. */
export const budgetBody = fc.record({
  name: cleanString(40),
  scope: fc.constantFrom('project', 'model', 'user'),
  scope_value: cleanString(20),
  period: fc.constantFrom('daily', 'weekly', 'monthly'),
  amount_usd: fc.double({ min: 0.01, max: 10_000, noNaN: true }),
}, { requiredKeys: ['name', 'period', 'amount_usd', 'scope', 'scope_value'] });

/** PUT /api/v1/projects/{id}/providers/{provider}. */
export const credentialBody = fc.record({ api_key: cleanString(60), base_url: fc.option(fc.constantFrom('http://127.0.0.1:9/v1', 'https://127.0.0.1:9'), { nil: null }) }, { requiredKeys: ['api_key'] });
