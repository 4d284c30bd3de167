// Helpers of the router tests: a catalog seeded through the HTTP surface, and dry-run calls.
import assert from 'node:assert/strict';
import type { Aether } from '../../src/app.js';

// Three models: cheap/slow/mediocre, mid, and expensive/fast/good. Prices in USD per token.
export const CANDIDATES = [
  { model: 'cheap', input_per_token: 1e-7, output_per_token: 2e-7 },
  { model: 'mid', input_per_token: 1e-6, output_per_token: 2e-6 },
  { model: 'premium', input_per_token: 1e-5, output_per_token: 3e-5 },
];
const PROFILE = { cheap: { latency: 2000, good: 0.6 }, mid: { latency: 900, good: 0.8 }, premium: { latency: 300, good: 0.95 } } as const;
export const QUESTION = 'Explain why the sky appears blue during the day';

export function http(aether: Aether, key: string) {
  const inject = aether.server.inject.bind(aether.server);
  return async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await inject({ method, url, headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
  };
}

/** Ingest `n` traces per model (named `modelPrefix + model`) with latencies around its profile, then score each with feedback. */
export async function seed(aether: Aether, key: string, n = 20, prefix = 's', modelPrefix = ''): Promise<void> {
  const call = http(aether, key);
  // Only the feedback below scores these traces (the evaluation worker would add its own metrics).
  const projectId = (await call('GET', '/api/v1/project')).body.id as string;
  assert.equal((await call('PUT', `/api/v1/projects/${projectId}/evaluation-config`, { enabled: false })).status, 200);
  const traces = [];
  for (const [model, p] of Object.entries(PROFILE)) {
    for (let i = 0; i < n; i++) traces.push({ id: `${prefix}-${model}-${i}`, query: `${QUESTION} (variant ${i})`, response: 'ok', model: `${modelPrefix}${model}`, latency_ms: p.latency * (0.9 + (i % 5) * 0.05), output_tokens: 50 });
  }
  const r = await call('POST', '/api/v1/traces/batch', { traces });
  assert.equal(r.status, 207, JSON.stringify(r.body));
  for (const [model, p] of Object.entries(PROFILE)) {
    for (let i = 0; i < n; i++) {
      // the good scores spread evenly through the sequence (in a run they would read as a model getting worse)
      const f = await call('POST', `/api/v1/traces/${prefix}-${model}-${i}/feedback`, { score: Math.floor((i + 1) * p.good) - Math.floor(i * p.good) });
      assert.equal(f.status, 200, JSON.stringify(f.body));
    }
  }
  // Feedback answers once it is stored; the catalog's shared rows follow in its next batched write
  // and snapshot refresh (well under a second). Wait for that, as a client reading the explain would.
  {
    const candidates = CANDIDATES.map((c) => ({ ...c, model: `${modelPrefix}${c.model}` }));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await route(aether, key, {}, { candidates });
      const cands = (r.body.candidates ?? []) as Array<{ model: string; latency_ms: number | null; evidence: { scores: number } }>;
      // every model's latency (from its traces) and its scores (from the feedback) are in the snapshot
      if (cands.length === 3 && cands.every((c) => c.latency_ms !== null && c.evidence.scores >= n - 1)) break;
      assert.ok(Date.now() < deadline, `the catalog did not learn the seeded traces and feedback: ${JSON.stringify(cands)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

export const route = (aether: Aether, key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  http(aether, key)('POST', '/api/v1/router/route', { model: 'auto', messages: [{ role: 'user', content: QUESTION }], candidates: CANDIDATES, ...extra }, headers);

export async function chosen(aether: Aether, key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await route(aether, key, headers, extra);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.model as string;
}

