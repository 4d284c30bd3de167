// Realistic data for the dashboard's browser tests and benchmark, sent through the public API with a
// project API key: a day of RAG traffic over three models, users and tags, some errors and slow
// calls, spans, and answers the local evaluator flags as hallucinated.

export const HALLUCINATED = {
  query: 'What is the capital of France?',
  contexts: [
    { text: 'Paris is the capital and most populous city of France, with an estimated population of 2.1 million residents.', source: 'wiki/paris.md', score: 0.93 },
    { text: 'France is a country in Western Europe.', source: 'wiki/france.md', score: 0.71 },
  ],
  response: 'Paris is the capital of France. It was founded by Julius Caesar in 1852. It has 9 million residents.',
};

const CASES = [
  {
    query: 'How long do I have to ask for a refund on an annual plan?',
    contexts: [
      { text: 'Annual plans can be refunded in full within 30 days of purchase. After 30 days, refunds are prorated for the unused months.', source: 'docs/billing/refunds.md', score: 0.93 },
      { text: 'Monthly plans are not refundable, but you can cancel at any time.', source: 'docs/billing/cancel.md', score: 0.8 },
    ],
    response: 'Annual plans can be refunded in full within 30 days of purchase. After 30 days, refunds are prorated for the unused months.',
    tag: 'billing',
  },
  {
    query: 'What is the API rate limit on the Pro plan?',
    contexts: [{ text: 'The Pro plan allows 600 API requests per minute per workspace. Requests above the limit receive HTTP 429.', source: 'docs/api/limits.md', score: 0.95 }],
    response: 'The Pro plan allows 600 API requests per minute per workspace. Requests above the limit receive HTTP 429.',
    tag: 'api',
  },
  {
    query: 'How do I reset my password?',
    contexts: [{ text: 'To reset your password, click "Forgot password" on the sign-in page. We email a reset link that expires after 1 hour.', source: 'docs/account/password.md', score: 0.91 }],
    response: 'To reset your password, click "Forgot password" on the sign-in page. We email a reset link that expires after 1 hour.',
    tag: 'account',
  },
  {
    query: 'Which SSO providers are supported?',
    contexts: [{ text: 'Single sign-on supports SAML 2.0 and OpenID Connect. Tested identity providers include Okta, Microsoft Entra ID and Google Workspace.', source: 'docs/security/sso.md', score: 0.9 }],
    response: 'Single sign-on supports SAML 2.0 and OpenID Connect. Tested identity providers include Okta, Microsoft Entra ID and Google Workspace.',
    tag: 'security',
  },
];

const MODELS = [
  { model: 'gpt-4o-mini', provider: 'openai', perToken: 0.0000006, latency: 700 },
  { model: 'gpt-4o', provider: 'openai', perToken: 0.00001, latency: 1400 },
  { model: 'claude-3-5-haiku', provider: 'anthropic', perToken: 0.000004, latency: 950 },
];
const USERS = ['alice', 'bob', 'carol', 'dave'];

/** Deterministic pseudo-random numbers, so runs look alike. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

/** `n` traces spread over the last `hours`, newest last. */
export function makeTraces(n: number, hours = 24, seed = 7, idPrefix = 'seed', offsetHours = 0): Array<Record<string, unknown>> {
  const r = rng(seed);
  const now = Date.now() - offsetHours * 3_600_000;
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const c = CASES[i % CASES.length]!;
    const m = MODELS[Math.floor(r() * MODELS.length)]!;
    const ts = now - Math.floor((1 - i / n) * hours * 0.97 * 3_600_000) - Math.floor(r() * 30_000) - 60_000;
    const error = r() < 0.04;
    const inTok = 300 + Math.floor(r() * 900);
    const outTok = 40 + Math.floor(r() * 260);
    const latency = Math.round(m.latency * (0.6 + r() * 0.9) + (r() < 0.05 ? 4000 : 0));
    const retrieval = Math.round(40 + r() * 120);
    const spans = [
      {
        name: 'rag.pipeline',
        kind: 'chain',
        start_time: ts,
        end_time: ts + latency,
        spans: [
          { name: 'embed query', kind: 'embedding', start_time: ts + 2, end_time: ts + 20, model: 'text-embedding-3-small' },
          { name: 'vector search', kind: 'retrieval', start_time: ts + 22, end_time: ts + 22 + retrieval, attributes: { top_k: 4, index: 'docs' } },
          { name: 'rerank', kind: 'reranker', start_time: ts + 24 + retrieval, end_time: ts + 60 + retrieval },
          { name: `chat ${m.model}`, kind: 'llm', start_time: ts + 62 + retrieval, end_time: ts + latency - 3, model: m.model, input_tokens: inTok, output_tokens: outTok, status: error ? 'error' : 'success', ...(error ? { error: 'upstream 503: overloaded' } : {}) },
        ],
      },
    ];
    out.push({
      id: `${idPrefix}-${i}`,
      timestamp: ts,
      query: c.query,
      response: error ? null : c.response,
      contexts: c.contexts,
      model: m.model,
      provider: m.provider,
      input_tokens: inTok,
      output_tokens: outTok,
      latency_ms: latency,
      cost_usd: Math.round((inTok + outTok) * m.perToken * 1e6) / 1e6,
      user_id: USERS[Math.floor(r() * USERS.length)],
      session_id: `sess-${Math.floor(i / 5)}`,
      tags: [c.tag, r() < 0.3 ? 'beta' : 'prod'],
      metadata: { app: 'support-bot', version: '1.4.2' },
      status: error ? 'error' : 'success',
      ...(error ? { error: 'upstream 503: overloaded' } : {}),
      spans,
    });
  }
  return out;
}

/** Hallucinated answers in the last few minutes (the local evaluator flags them). */
export function makeHallucinated(n: number, idPrefix = 'hallu'): Array<Record<string, unknown>> {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    ...HALLUCINATED,
    id: `${idPrefix}-${i}`,
    timestamp: now - (n - i) * 5_000,
    model: 'gpt-4o-mini',
    provider: 'openai',
    user_id: 'erin',
    tags: ['geography', 'prod'],
    input_tokens: 420,
    output_tokens: 38,
    latency_ms: 640 + i * 10,
    cost_usd: 0.00028,
  }));
}

export interface ApiClient {
  post: (path: string, body: unknown) => Promise<{ status: number; json: unknown }>;
  put: (path: string, body: unknown) => Promise<{ status: number; json: unknown }>;
  get: (path: string) => Promise<{ status: number; json: unknown }>;
}

/** A tiny fetch client with an API key. */
export function apiClient(base: string, key: string): ApiClient {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return { post: (p, b) => call('POST', p, b), put: (p, b) => call('PUT', p, b), get: (p) => call('GET', p) };
}

/** Send traces in batches of up to 1,000; throws when any is rejected. */
export async function ingest(api: ApiClient, traces: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < traces.length; i += 1000) {
    const r = await api.post('/api/v1/traces/batch', { traces: traces.slice(i, i + 1000) });
    const body = r.json as { rejected?: number; results?: Array<{ error?: { message: string } }> };
    if (r.status !== 207 || body.rejected) throw new Error(`batch rejected: ${r.status} ${JSON.stringify(body.results?.find((x) => x.error) ?? body)}`);
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
