// One call's usage, sent through every path that records usage (REST, batch, OTLP JSON, a Langfuse
// export file, the Langfuse ingestion API the Langfuse SDKs use, the gateway in OpenAI and Anthropic formats against a local upstream, the judge),
// must cost the same to the cent: the provider's list price, for OpenAI and for every Anthropic
// model the README and docs name, with cached and reasoning tokens. Runs on PGlite and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './helpers/app.js';
import { storeCases, tempDir } from './helpers/stores.js';
import { importLangfuseFiles } from '../src/cli/import.js';
import { createJudge } from '../src/evals/judge/client.js';
import { gatewayLlm } from '../src/app.js';

interface U {
  input: number;
  output: number;
  cached_read?: number;
  cached_write?: number;
  reasoning?: number;
}

// Published list prices, USD per million tokens: input, output, cache read, cache write.
const LIST: Record<string, [number, number, number, number]> = {
  'gpt-4o-mini': [0.15, 0.6, 0.075, 0.15],
  'gpt-4o': [2.5, 10, 1.25, 2.5],
  'claude-3-5-haiku': [0.8, 4, 0.08, 1],
  'claude-sonnet': [3, 15, 0.3, 3.75],
  'claude-haiku-4-5': [1, 5, 0.1, 1.25],
};
const MODELS: Array<{ model: string; list: keyof typeof LIST; anthropic: boolean }> = [
  { model: 'openai/gpt-4o-mini', list: 'gpt-4o-mini', anthropic: false },
  { model: 'gpt-4o-mini', list: 'gpt-4o-mini', anthropic: false },
  { model: 'openai/gpt-4o', list: 'gpt-4o', anthropic: false },
  { model: 'anthropic/claude-3-5-haiku-latest', list: 'claude-3-5-haiku', anthropic: true },
  { model: 'claude-3-5-haiku-20241022', list: 'claude-3-5-haiku', anthropic: true },
  { model: 'claude-sonnet-4', list: 'claude-sonnet', anthropic: true },
  { model: 'claude-3-5-sonnet-latest', list: 'claude-sonnet', anthropic: true },
  { model: 'anthropic/claude-sonnet-4-5', list: 'claude-sonnet', anthropic: true },
  { model: 'anthropic/claude-haiku-4-5', list: 'claude-haiku-4-5', anthropic: true },
];
// Large enough that a cached or reasoning token charged twice moves the cost by dollars.
const USAGES: Record<string, (anthropic: boolean) => U> = {
  plain: () => ({ input: 1_234_567, output: 234_567 }),
  cached: (a) => ({ input: 2_000_000, output: 100_000, cached_read: 1_500_000, ...(a ? { cached_write: 300_000 } : {}) }),
  reasoning: () => ({ input: 100_000, output: 900_000, reasoning: 700_000 }),
};

function listCost(list: keyof typeof LIST, u: U): number {
  const [i, o, cr, cw] = LIST[list]!;
  const read = u.cached_read ?? 0;
  const write = u.cached_write ?? 0;
  return ((u.input - read - write) * i + read * cr + write * cw + u.output * o) / 1e6;
}

const bare = (m: string) => m.replace(/^(openai|anthropic)\//, '');
const openAIUsage = (u: U) => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
  prompt_tokens_details: { cached_tokens: u.cached_read ?? 0 },
  completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
});
// Anthropic's input_tokens leaves out cache reads and writes; thinking is inside output_tokens.
const anthropicUsage = (u: U) => ({ input_tokens: u.input - (u.cached_read ?? 0) - (u.cached_write ?? 0), output_tokens: u.output, cache_read_input_tokens: u.cached_read ?? 0, cache_creation_input_tokens: u.cached_write ?? 0 });

/** An upstream speaking OpenAI chat completions and Anthropic Messages, answering with `usage`. */
async function startUpstream(): Promise<{ url: string; usage: U; server: Server }> {
  const state = { url: '', usage: { input: 0, output: 0 } as U, server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.endsWith('/messages')) {
        res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: body.model, content: [{ type: 'text', text: '{"ok": true}' }], stop_reason: 'end_turn', stop_sequence: null, usage: anthropicUsage(state.usage) }));
      } else {
        res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: '{"ok": true}' }, finish_reason: 'stop' }], usage: openAIUsage(state.usage) }));
      }
    });
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  const addr = state.server.address() as { port: number };
  state.url = `http://127.0.0.1:${addr.port}`;
  return state;
}

const otlpBody = (traceId: string, model: string, u: U) => {
  const int = (key: string, v: number | undefined) => (v ? [{ key, value: { intValue: String(v) } }] : []);
  return {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'conformance' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans: [{
      traceId, spanId: traceId.slice(0, 16), name: `chat ${model}`, kind: 3, startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225601000000000',
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: model } },
        ...int('gen_ai.usage.input_tokens', u.input),
        ...int('gen_ai.usage.output_tokens', u.output),
        ...int('gen_ai.usage.cache_read.input_tokens', u.cached_read),
        ...int('gen_ai.usage.cache_creation.input_tokens', u.cached_write),
        ...int('gen_ai.usage.reasoning.output_tokens', u.reasoning),
      ],
    }] }] }],
  };
};

// Langfuse's usage types are disjoint: its `input` leaves the cached tokens out.
const langfuseExport = (id: string, model: string, u: U) => ({
  trace: { id, timestamp: '2026-01-01T00:00:00.000Z', name: 'conformance', input: 'q', output: 'a' },
  observations: [{
    id: `${id}-gen`, traceId: id, type: 'GENERATION', name: 'llm', startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T00:00:01.000Z', model,
    usageDetails: { input: u.input - (u.cached_read ?? 0) - (u.cached_write ?? 0), input_cache_read: u.cached_read ?? 0, input_cache_creation: u.cached_write ?? 0, output: u.output - (u.reasoning ?? 0), output_reasoning: u.reasoning ?? 0, total: u.input + u.output },
  }],
});

for (const c of storeCases) {
  describe(`pricing conformance: ${c.kind}`, async () => {
    const skip = await c.skip();
    let t: TestApp;
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    const dir = tempDir('aether-pricing-');
    before(async () => {
      if (skip) return;
      upstream = await startUpstream();
      t = await startTestApp(c, { OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: upstream.url, ANTHROPIC_API_KEY: 'sk-ant-test', AETHER_WORKER: 'false' });
    });
    after(async () => {
      if (skip) return;
      await t.close();
      upstream.server.close();
      dir.remove();
    });
    const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      t.aether.server.inject({ method, url, headers: { 'x-api-key': t.key, ...headers }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    async function traceOf(id: string): Promise<{ cost_usd: number | null; cost_source: string | null; model: string | null }> {
      for (let i = 0; i < 200; i++) {
        const r = await inject('GET', `/api/v1/traces/${id}`);
        if (r.statusCode === 200) return r.json();
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`trace ${id} never appeared`);
    }

    it('gives the list price through REST, batch, OTLP, Langfuse import and ingestion API, gateway (both formats) and judge', { skip }, async () => {
      const pair = (await inject('POST', '/api/v1/langfuse/keys', { name: 'conformance' })).json<{ public_key: string; secret_key: string }>();
      const basic = { authorization: `Basic ${Buffer.from(`${pair.public_key}:${pair.secret_key}`).toString('base64')}` };
      let n = 0;
      for (const m of MODELS) {
        for (const [name, usageOf] of Object.entries(USAGES)) {
          const u = usageOf(m.anthropic);
          const want = listCost(m.list, u);
          const tag = `${m.model} ${name}`;
          const ids: Record<string, string> = {};
          const details = { ...(u.cached_read ? { cached_read: u.cached_read } : {}), ...(u.cached_write ? { cached_write: u.cached_write } : {}), ...(u.reasoning ? { reasoning: u.reasoning } : {}) };
          const rest = { query: 'q', response: 'a', model: m.model, input_tokens: u.input, output_tokens: u.output, usage_details: details };
          n++;
          ids.rest = `rest-${n}`;
          assert.equal((await inject('POST', '/api/v1/traces', { ...rest, id: ids.rest })).statusCode, 201);
          ids.batch = `batch-${n}`;
          const b = await inject('POST', '/api/v1/traces/batch', { traces: [{ ...rest, id: ids.batch }] });
          assert.equal(b.json<{ accepted: number }>().accepted, 1, b.body);
          ids.otlp = n.toString(16).padStart(32, 'a');
          const o = await inject('POST', '/v1/traces', otlpBody(ids.otlp, m.model, u), { 'content-type': 'application/json' });
          assert.equal(o.statusCode, 200, o.body);
          ids.langfuse = `langfuse-${n}`;
          const file = join(dir.dir, `${n}.json`);
          writeFileSync(file, JSON.stringify([langfuseExport(ids.langfuse, m.model, u)]));
          assert.equal((await importLangfuseFiles(t.aether.store, t.projectId, [file])).imported, 1);
          // The Langfuse SDKs' path: the public ingestion API, usage in the same disjoint convention.
          ids.langfuse_api = `langfuse-api-${n}`;
          const lf = langfuseExport(ids.langfuse_api, m.model, u);
          const at = '2026-01-01T00:00:01.000Z';
          const ingest = await t.aether.server.inject({
            method: 'POST',
            url: '/api/public/ingestion',
            headers: { ...basic, 'content-type': 'application/json' },
            payload: { batch: [{ id: `${ids.langfuse_api}-t`, type: 'trace-create', timestamp: at, body: lf.trace }, { id: `${ids.langfuse_api}-g`, type: 'generation-create', timestamp: at, body: lf.observations[0] }] },
          });
          assert.equal(ingest.statusCode, 207, ingest.body);
          assert.equal(ingest.json<{ errors: unknown[] }>().errors.length, 0, ingest.body);
          upstream.usage = u;
          ids.chat = `chat-${n}`;
          const chat = await inject('POST', '/v1/chat/completions', { model: m.model, messages: [{ role: 'user', content: 'hi' }] }, { 'x-aether-trace-id': ids.chat });
          assert.equal(chat.statusCode, 200, chat.body);
          ids.messages = `messages-${n}`;
          const msg = await inject('POST', '/v1/messages', { model: m.model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'x-aether-trace-id': ids.messages });
          assert.equal(msg.statusCode, 200, msg.body);
          const judge = createJudge({ model: `${m.anthropic ? 'anthropic' : 'openai'}/${bare(m.model)}`, llm: gatewayLlm(() => t.aether.gateway), projectId: t.projectId, concurrency: 1, timeoutMs: 5000, maxTries: 1 });
          const verdict = await judge.complete([{ role: 'user', content: 'judge this' }], { json: true });
          assert.ok(verdict.cost_usd !== null && Math.abs(verdict.cost_usd - want) < 1e-9, `${tag} judge: ${verdict.cost_usd} != ${want}`);
          for (const [path, id] of Object.entries(ids)) {
            const tr = await traceOf(id);
            assert.equal(tr.cost_source, 'computed', `${tag} ${path}`);
            assert.ok(tr.cost_usd !== null && Math.abs(tr.cost_usd - want) < 1e-9, `${tag} ${path}: ${tr.cost_usd} != ${want}`);
          }
        }
      }
    });

    it('keeps a cost the client sent, and records usage it cannot price as unpriced', { skip }, async () => {
      await inject('POST', '/api/v1/traces', { id: 'client-cost', query: 'q', model: 'gpt-4o-mini', input_tokens: 10, output_tokens: 5, cost_usd: 0.5 });
      await inject('POST', '/api/v1/traces', { id: 'no-usage', query: 'q', model: 'gpt-4o-mini' });
      await inject('POST', '/api/v1/traces', { id: 'unknown-model', query: 'q', model: 'acme-llm-7b', input_tokens: 1000, output_tokens: 100 });
      assert.deepEqual([(await traceOf('client-cost')).cost_usd, (await traceOf('client-cost')).cost_source], [0.5, 'client']);
      assert.equal((await traceOf('no-usage')).cost_source, null);
      assert.deepEqual([(await traceOf('unknown-model')).cost_usd, (await traceOf('unknown-model')).cost_source], [null, 'unpriced']);
    });

    it('lists unpriced models until the project sets a price, which then prices new traces on every path', { skip }, async () => {
      const model = 'acme/llm-7b';
      await inject('POST', '/api/v1/traces', { id: 'acme-1', query: 'q', model, input_tokens: 2_000_000, output_tokens: 500_000 });
      const listed = (await inject('GET', '/api/v1/costs/unpriced')).json<{ data: Array<{ model: string; last_seen: string }> }>().data;
      const { last_seen, ...row } = listed.find((r) => r.model === model) ?? { last_seen: '' };
      assert.deepEqual(row, { model, traces: 1, input_tokens: 2_000_000, output_tokens: 500_000 });
      assert.ok(Date.parse(last_seen) > 0, last_seen);
      const path = `/api/v1/projects/${t.projectId}/prices/${encodeURIComponent(model)}`;
      const denied = await t.aether.server.inject({ method: 'PUT', url: path, headers: { 'x-api-key': t.other.key }, payload: { input_per_mtok: 1, output_per_mtok: 2 } });
      assert.equal(denied.statusCode, 403);
      const bad = await t.aether.server.inject({ method: 'PUT', url: path, headers: { 'x-api-key': t.key }, payload: { input_per_mtok: -1, output_per_mtok: 2 } });
      assert.equal(bad.statusCode, 400);
      const put = await t.aether.server.inject({ method: 'PUT', url: path, headers: { 'x-api-key': t.key }, payload: { input_per_mtok: 0.5, output_per_mtok: 2, cache_read_per_mtok: 0.05 } });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual((await inject('GET', `/api/v1/projects/${t.projectId}/prices`)).json<{ data: Array<{ model: string; input_per_mtok: number }> }>().data.map((p) => [p.model, p.input_per_mtok]), [[model, 0.5]]);
      assert.equal((await inject('GET', '/api/v1/costs/unpriced')).json<{ data: Array<{ model: string }> }>().data.some((r) => r.model === model), false);
      // 1M uncached input at 0.5, 1M cached at 0.05, 0.5M output at 2 (USD per million tokens).
      const want = 0.5 + 0.05 + 1;
      const u: U = { input: 2_000_000, output: 500_000, cached_read: 1_000_000 };
      await inject('POST', '/api/v1/traces', { id: 'acme-2', query: 'q', model, input_tokens: u.input, output_tokens: u.output, usage_details: { cached_read: 1_000_000 } });
      const otlpId = 'acacacacacacacacacacacacacacacac';
      await inject('POST', '/v1/traces', otlpBody(otlpId, model, u), { 'content-type': 'application/json' });
      for (const id of ['acme-2', otlpId]) {
        const tr = await traceOf(id);
        assert.deepEqual([tr.cost_source, Math.round(tr.cost_usd! * 1e6) / 1e6], ['computed', want], id);
      }
      assert.equal((await t.aether.server.inject({ method: 'DELETE', url: path, headers: { 'x-api-key': t.key } })).statusCode, 204);
      assert.equal((await t.aether.server.inject({ method: 'DELETE', url: path, headers: { 'x-api-key': t.key } })).statusCode, 404);
      await inject('POST', '/api/v1/traces', { id: 'acme-3', query: 'q', model, input_tokens: 10, output_tokens: 1 });
      assert.equal((await traceOf('acme-3')).cost_source, 'unpriced');
    });

    it('prices an OTLP trace whose LLM span arrives in a later export', { skip }, async () => {
      const id = 'bcbcbcbcbcbcbcbcbcbcbcbcbcbcbcbc';
      const root = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id, spanId: 'ffffffffffffffff', name: 'agent', startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225602000000000', attributes: [{ key: 'input.value', value: { stringValue: 'q' } }] }] }] }] };
      await inject('POST', '/v1/traces', root, { 'content-type': 'application/json' });
      assert.equal((await traceOf(id)).cost_source, null);
      const u: U = { input: 321, output: 45 };
      const llm = otlpBody(id, 'gpt-4o-mini', u);
      const span = llm.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
      span.parentSpanId = 'ffffffffffffffff';
      await inject('POST', '/v1/traces', llm, { 'content-type': 'application/json' });
      const tr = await traceOf(id);
      assert.equal(tr.cost_source, 'computed');
      assert.ok(Math.abs(tr.cost_usd! - listCost('gpt-4o-mini', u)) < 1e-12, String(tr.cost_usd));
    });
  });
}
