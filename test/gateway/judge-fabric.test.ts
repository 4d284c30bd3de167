// The evaluation judge is served by the gateway's fabric: the same provider table, credentials and
// breakers as client traffic. A breaker opened by gateway traffic also protects judge calls, and
// the judge's calls are traced as internal and never queued for evaluation themselves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JudgeError } from '../../src/evals/index.js';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';

describe('judge on the gateway fabric', () => {
  let g: GatewayTestApp;
  before(async () => {
    g = await startGatewayApp({ breaker: { min_requests: 2, failure_rate: 0.5, open_ms: 60_000 }, retry: { max_retries: 0 } }, { AETHER_JUDGE_MODEL: 'openai/gpt-4o-mini' });
  });
  after(async () => g?.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${g.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${g.t.key}`, ...headers }, body: JSON.stringify(body) });
  const pending = async () => ((await (await fetch(`${g.base}/api/v1/queue`, { headers: { 'x-api-key': g.t.key } })).json()) as { pending: number }).pending;
  const judge = () => g.t.aether.evals.judge!.forProject!(g.t.projectId);
  const ask = () => judge().complete([{ role: 'user', content: 'Is the sky blue? Answer in JSON.' }], { json: true });

  it('traces a judge call as internal, priced, through the project, and never queues it for evaluation', async () => {
    const before = await pending();
    const client = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { 'x-aether-trace-id': 'client-1' });
    assert.equal(client.status, 200);
    await g.trace('client-1');
    assert.equal(await pending(), before + 1, 'client traffic is sampled for evaluation');
    const usage = async () => (await (await fetch(`${g.base}/api/v1/metrics/summary?window=1h`, { headers: { 'x-api-key': g.t.key } })).json()) as { traces: number; llm_cost_usd: number };
    const withClient = await usage();
    assert.ok(withClient.traces >= 1 && withClient.llm_cost_usd > 0, 'the client call counts as usage');

    const reply = await ask();
    assert.ok(reply.text.length > 0);
    assert.ok(reply.cost_usd !== null && reply.cost_usd > 0, 'priced by the gateway');
    const call = g.upstream.calls.at(-1)!;
    assert.equal(call.path, '/v1/chat/completions');
    assert.deepEqual(call.body.response_format, { type: 'json_object' });
    const internal = (await (await fetch(`${g.base}/api/v1/traces?limit=10`, { headers: { 'x-api-key': g.t.key } })).json()) as { data: Array<{ id: string; metadata: Record<string, unknown> }> };
    let traced = internal.data.find((t) => t.metadata?.internal === true);
    for (let i = 0; !traced && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const page = (await (await fetch(`${g.base}/api/v1/traces?limit=10`, { headers: { 'x-api-key': g.t.key } })).json()) as typeof internal;
      traced = page.data.find((t) => t.metadata?.internal === true);
    }
    assert.ok(traced, 'the judge call is traced');
    const full = await g.trace(traced.id);
    assert.equal(full.metadata.purpose, 'judge');
    assert.equal(full.metadata.source, 'gateway');
    assert.ok((full.cost_usd as number) > 0);
    assert.ok((full.tags as string[]).includes('aether:internal'));
    // Its spend is evaluation cost: counted in the usage figures too, it would show twice in total spend.
    const after = await usage();
    assert.deepEqual([after.traces, after.llm_cost_usd], [withClient.traces, withClient.llm_cost_usd], 'the judge call is not counted as the app’s traffic or LLM cost');
    assert.equal(await pending(), before + 1, 'the judge’s own trace is not queued for evaluation');
  });

  it('a breaker opened by gateway traffic also protects judge calls', async () => {
    g.upstream.byModel.set('gpt-4o-mini', { kind: 'status', status: 500, message: 'overloaded' });
    let open = false;
    for (let i = 0; i < 10 && !open; i++) {
      const r = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `hi ${i}` }] });
      const body = (await r.json()) as { error: { code: string } };
      open = r.status === 503 && body.error.code === 'circuit_open';
    }
    assert.ok(open, 'gateway traffic opened the breaker of openai/gpt-4o-mini');
    const calls = g.upstream.calls.length;
    await assert.rejects(ask(), (e: unknown) => {
      assert.ok(e instanceof JudgeError);
      assert.equal(e.retryable, true, 'an open circuit is worth retrying later');
      assert.match(e.message, /circuit breaker is open/);
      return true;
    });
    assert.equal(g.upstream.calls.length, calls, 'the judge call never reached the failing upstream');
    g.upstream.byModel.delete('gpt-4o-mini');
  });
});
