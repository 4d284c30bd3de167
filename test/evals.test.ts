// Evaluation end to end: traces ingested over HTTP are scored by the in-process worker, locally and
// with an LLM judge (a local server speaking the OpenAI wire format), on PGlite, PostgreSQL and Redis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REDIS_URL, skipWithoutRedis, storeCases, type StoreCase } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startJudgeServer, type JudgeServer } from './helpers/judge-server.js';

interface Ev {
  metric: string;
  score: number | null;
  label: string | null;
  reason: string;
  evaluator: string;
  cost_usd: number;
  details: { claims?: Array<{ text: string; supported: boolean; reason: string; start?: number; end?: number }>; types?: string[] };
}
interface TraceWithEvals {
  id: string;
  evaluations: Ev[];
  evaluation_cost_usd: number;
}

const HALLUCINATED = {
  query: 'What is the capital of France?',
  contexts: [{ text: 'Paris is the capital and most populous city of France, with an estimated population of 2.1 million residents.' }],
  response: 'Paris is the capital of France. It was founded by Julius Caesar in 1852. It has 9 million residents.',
};
const FAITHFUL = { ...HALLUCINATED, response: 'Paris is the capital and most populous city of France.' };

function client(t: TestApp) {
  const h = { 'content-type': 'application/json', 'x-api-key': t.key };
  const inject = t.aether.server.inject.bind(t.aether.server);
  return {
    post: (url: string, body: unknown) => inject({ method: 'POST', url, headers: h, payload: JSON.stringify(body) }),
    put: (url: string, body: unknown) => inject({ method: 'PUT', url, headers: h, payload: JSON.stringify(body) }),
    get: (url: string) => inject({ method: 'GET', url, headers: h }),
    async ingest(body: unknown): Promise<string> {
      const r = await inject({ method: 'POST', url: '/api/v1/traces', headers: h, payload: JSON.stringify(body) });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<{ id: string }>().id;
    },
    /** Poll the trace until `metric` has been evaluated. */
    async evaluated(id: string, metric = 'hallucination', ms = 15_000): Promise<TraceWithEvals> {
      const end = Date.now() + ms;
      for (;;) {
        const tr = (await inject({ method: 'GET', url: `/api/v1/traces/${id}`, headers: h })).json<TraceWithEvals>();
        if (tr.evaluations.some((e) => e.metric === metric)) return tr;
        if (Date.now() > end) throw new Error(`trace ${id} has no ${metric} evaluation after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const fastQueue = { AETHER_QUEUE_POLL_MS: '20', AETHER_QUEUE_BACKOFF_MS: '50' };
const ev = (t: TraceWithEvals, metric: string) => t.evaluations.find((e) => e.metric === metric)!;

function localSuite(name: string, store: StoreCase, env: Record<string, string>, skip: () => Promise<string | false>) {
  describe(`local evaluation: ${name}`, async () => {
    const why = await skip();
    let t: TestApp;
    let c: ReturnType<typeof client>;
    before(async () => {
      if (why) return;
      t = await startTestApp(store, { ...fastQueue, ...env });
      c = client(t);
    });
    after(async () => t?.close());

    it('flags a response the contexts do not support and names the unsupported statement', { skip: why }, async () => {
      const tr = await c.evaluated(await c.ingest(HALLUCINATED));
      const f = ev(tr, 'faithfulness');
      assert.equal(f.evaluator, 'local');
      assert.ok(f.score !== null && f.score < 0.5, `faithfulness ${f.score}`);
      assert.equal(ev(tr, 'hallucination').label, 'hallucinated');
      assert.equal(ev(tr, 'hallucination').score, 1);
      const bad = f.details.claims!.filter((x) => !x.supported);
      assert.ok(bad.some((x) => /1852|Caesar|9 million/.test(x.text)), JSON.stringify(f.details.claims));
      const claim = bad[0]!;
      assert.equal(HALLUCINATED.response.slice(claim.start, claim.end), claim.text);
      assert.ok(ev(tr, 'token_overlap').score! < 1);
    });

    it('passes a supported response', { skip: why }, async () => {
      const tr = await c.evaluated(await c.ingest(FAITHFUL));
      assert.ok(ev(tr, 'faithfulness').score! >= 0.5);
      assert.equal(ev(tr, 'hallucination').label, 'faithful');
    });

    it('gives null faithfulness with a reason, not an error, when there are no contexts', { skip: why }, async () => {
      const tr = await c.evaluated(await c.ingest({ query: 'hi', response: 'Hello! How can I help?' }), 'faithfulness');
      const f = ev(tr, 'faithfulness');
      assert.equal(f.score, null);
      assert.match(f.reason, /no contexts/);
      assert.equal(ev(tr, 'hallucination').score, null);
      assert.equal(ev(tr, 'context_recall').score, null);
    });

    it('finds PII and secrets with their types', { skip: why }, async () => {
      const tr = await c.evaluated(
        await c.ingest({ query: 'my card is 4111 1111 1111 1111', response: 'Write to jane.doe@example.com; key sk-proj-abcdefghijklmnopqrstuvwx', contexts: [] }),
        'pii',
      );
      const p = ev(tr, 'pii');
      assert.equal(p.score, 1);
      assert.deepEqual([...(p.details.types ?? [])].sort(), ['api_key', 'credit_card', 'email']);
    });

    it('validates the evaluation config, and samples deterministically', { skip: why }, async () => {
      const bad = await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, { metrics: ['faithfulness', 'vibes'], sampling_rate: 2 });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /sampling_rate/);
      const bad2 = await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, { metrics: ['faithfulness', 'vibes'] });
      assert.match(bad2.json<{ error: { message: string } }>().error.message, /metrics\.1: unknown metric "vibes"/);
      const other = await c.put(`/api/v1/projects/${t.other.projectId}/evaluation-config`, {});
      assert.equal(other.statusCode, 404, "a key cannot configure another project");

      const off = await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, { sampling_rate: 0 });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json<{ hallucination_threshold: number }>().hallucination_threshold, 0.5);
      const skipped = await c.ingest(HALLUCINATED);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await c.get(`/api/v1/traces/${skipped}`)).json<TraceWithEvals>().evaluations.length, 0, 'a trace outside the sample is not evaluated');

      const half = await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, { sampling_rate: 0.5, metrics: ['faithfulness', 'hallucination'] });
      assert.equal(half.statusCode, 200);
      const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => c.ingest({ ...FAITHFUL, id: `sample-${i}` })));
      await new Promise((r) => setTimeout(r, 1500));
      let evaluated = 0;
      for (const id of ids) if ((await c.get(`/api/v1/traces/${id}`)).json<TraceWithEvals>().evaluations.length) evaluated++;
      assert.ok(evaluated > 8 && evaluated < 32, `${evaluated} of 40 sampled at rate 0.5`);
      const again = await c.post(`/api/v1/traces/${skipped}/evaluate`, { metrics: ['faithfulness', 'hallucination'] });
      assert.equal(again.statusCode, 202, again.body);
      assert.equal(ev(await c.evaluated(skipped), 'hallucination').label, 'hallucinated', 'a re-run evaluates even unsampled traces');
      await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, {});
    });

    it('lists and filters evaluations, and reports the queue', { skip: why }, async () => {
      const r = (await c.get('/api/v1/evaluations?metric=hallucination&label=hallucinated')).json<{ data: Array<{ label: string }> }>();
      assert.ok(r.data.length >= 1);
      assert.ok(r.data.every((e) => e.label === 'hallucinated'));
      const q = (await c.get('/api/v1/queue')).json<{ kind: string; pending: number }>();
      assert.equal(q.kind, env.REDIS_URL ? 'redis' : 'postgres');
      const m = (await t.aether.server.inject('/metrics')).body;
      assert.match(m, /aether_queue_pending_jobs \d+/);
      assert.match(m, /aether_queue_lag_seconds/);
    });
  });
}

for (const s of storeCases) localSuite(s.kind, s, {}, s.skip);
localSuite('redis queue', storeCases[1]!, { REDIS_URL }, async () => (await storeCases[1]!.skip()) || (await skipWithoutRedis()));

describe('judge evaluation (OpenAI wire format)', () => {
  let judge: JudgeServer;
  let t: TestApp;
  let c: ReturnType<typeof client>;
  before(async () => {
    judge = await startJudgeServer('good');
    t = await startTestApp(storeCases[0]!, {
      ...fastQueue,
      AETHER_JUDGE_MODEL: 'openai/gpt-4o-mini',
      OPENAI_BASE_URL: `${judge.url}/v1`,
      OPENAI_API_KEY: 'sk-test',
      AETHER_JUDGE_TIMEOUT_MS: '300',
      AETHER_QUEUE_MAX_ATTEMPTS: '2',
    });
    c = client(t);
  });
  after(async () => {
    await t?.close();
    await judge?.close();
  });

  it('scores faithfulness by the RAGAS procedure, keeping per-statement verdicts and cost', async () => {
    const tr = await c.evaluated(await c.ingest({ ...HALLUCINATED, reference: 'Paris.' }));
    const f = ev(tr, 'faithfulness');
    assert.equal(f.evaluator, 'judge:openai/gpt-4o-mini');
    assert.equal(f.details.claims!.length, 3);
    assert.deepEqual(f.details.claims!.map((x) => x.supported), [true, false, false]);
    assert.ok(Math.abs(f.score! - 1 / 3) < 1e-9);
    assert.match(f.reason, /2 of 3 statements/);
    assert.equal(ev(tr, 'hallucination').label, 'hallucinated');
    assert.ok(f.cost_usd > 0, 'judge tokens are priced (gpt-4o-mini)');
    assert.ok(tr.evaluation_cost_usd >= f.cost_usd);
    assert.ok(judge.calls.some((x) => x.path === '/v1/chat/completions' && (x.body.response_format as { type: string }).type === 'json_object'));
    const costs = (await c.get('/api/v1/evaluations/costs')).json<{ total_usd: number; days: Array<{ cost_usd: number }> }>();
    assert.ok(costs.total_usd >= tr.evaluation_cost_usd - 1e-12);
    assert.equal(costs.days.length, 1);
  });

  it('repairs one malformed answer, and reports null with the reason after two', async () => {
    judge.mode = 'malformed-once';
    const ok = await c.evaluated(await c.ingest(FAITHFUL));
    assert.equal(ev(ok, 'faithfulness').score, 1);
    judge.mode = 'malformed';
    const bad = await c.evaluated(await c.ingest(FAITHFUL));
    const f = ev(bad, 'faithfulness');
    assert.equal(f.score, null);
    assert.match(f.reason, /invalid output twice/);
    judge.mode = 'good';
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    judge.mode = '429-once';
    const started = Date.now();
    const tr = await c.evaluated(await c.ingest(FAITHFUL));
    assert.ok(ev(tr, 'faithfulness').score === 1);
    assert.ok(Date.now() - started >= 900, 'honoured Retry-After: 1');
    judge.mode = 'good';
  });

  it('retries a judge that fails or hangs, then dead-letters the job keeping the error', async () => {
    judge.mode = '500';
    const id = await c.ingest(FAITHFUL);
    const end = Date.now() + 20_000;
    let dead: Array<{ trace_id: string; error: string; attempts: number }> = [];
    while (Date.now() < end) {
      dead = (await c.get('/api/v1/queue')).json<{ dead_letters: typeof dead }>().dead_letters;
      if (dead.some((d) => d.trace_id === id)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const d = dead.find((x) => x.trace_id === id);
    assert.ok(d, 'dead-lettered');
    assert.equal(d.attempts, 2);
    assert.match(d.error, /judge answered 500/);
    const tr = (await c.get(`/api/v1/traces/${id}`)).json<TraceWithEvals>();
    assert.ok(ev(tr, 'pii'), 'local metrics of a failed job are still stored');
    assert.equal(tr.evaluations.find((e) => e.metric === 'faithfulness'), undefined);

    judge.mode = 'hang';
    const hung = await c.ingest(FAITHFUL);
    await new Promise((r) => setTimeout(r, 1500));
    judge.mode = 'good';
    const tr2 = await c.evaluated(hung, 'faithfulness', 20_000);
    assert.equal(ev(tr2, 'faithfulness').score, 1, 'a timed-out call is retried');
  });

  it('uses local evaluation when the project asks for it', async () => {
    await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, { evaluator: 'local' });
    const tr = await c.evaluated(await c.ingest(HALLUCINATED));
    assert.equal(ev(tr, 'faithfulness').evaluator, 'local');
    await c.put(`/api/v1/projects/${t.projectId}/evaluation-config`, {});
  });
});

describe('judge evaluation (Anthropic wire format)', () => {
  it('scores faithfulness through the Messages API', async () => {
    const judge = await startJudgeServer('good');
    const t = await startTestApp(storeCases[0]!, {
      ...fastQueue,
      AETHER_JUDGE_MODEL: 'anthropic/claude-3-5-haiku-latest',
      ANTHROPIC_BASE_URL: judge.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
    });
    try {
      const tr = await client(t).evaluated(await client(t).ingest(HALLUCINATED));
      assert.equal(ev(tr, 'faithfulness').evaluator, 'judge:anthropic/claude-3-5-haiku-latest');
      assert.ok(Math.abs(ev(tr, 'faithfulness').score! - 1 / 3) < 1e-9);
      assert.ok(judge.calls.every((x) => x.path === '/v1/messages'));
    } finally {
      await t.close();
      await judge.close();
    }
  });
});
