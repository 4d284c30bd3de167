// The one budgets model through the real surface, with the official openai client: a budget's action
// (block, downgrade, alert) at the gateway, its validation in the API, its alert, and a downgrade
// budget shared by two `aether serve` processes on one PostgreSQL database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { openStore } from '../../src/storage/index.js';
import { startServer, type ServerProcess } from '../helpers/process.js';
import { createTestDatabase, skipWithoutPostgres, tempDir } from '../helpers/stores.js';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';
import { startUpstream, upstreamEnv, type Upstream } from './helpers/upstream.js';

const hi = [{ role: 'user' as const, content: 'Say Foo' }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Json = Record<string, unknown>;

/** JSON over HTTP with a project key. */
const call = (base: string, key: string) => async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${base}${path}`, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (r.status === 204 ? {} : await r.json()) as Json };
};

describe('budgets in one process (PGlite)', () => {
  let g: GatewayTestApp;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const client = (slug: string) => new OpenAI({ apiKey: keys[slug]!, baseURL: `${g.base}/v1`, maxRetries: 0 });
  const api = (slug: string) => call(g.base, keys[slug]!);

  before(async () => {
    g = await startGatewayApp({}, { AETHER_ALERT_DEBOUNCE_MS: '20', AETHER_ALERT_INTERVAL_MS: '200', AETHER_ALERT_POLL_MS: '20' });
    const org = (await g.t.aether.store.organizations.list())[0]!;
    for (const slug of ['rules', 'blocked', 'watched']) {
      const p = await g.t.aether.store.projects.create({ orgId: org.id, name: slug, slug });
      ids[slug] = p.id;
      keys[slug] = (await g.t.aether.store.apiKeys.create({ projectId: p.id })).key;
    }
  });
  after(async () => g?.close());

  it('validates action and downgrade_model on create and update, and keeps alert as the default', async () => {
    const a = api('rules');
    const bad = async (method: string, path: string, body: unknown, field: string, message: RegExp) => {
      const r = await a(method, path, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const details = JSON.stringify(r.body);
      assert.ok(details.includes(field), `${field} named: ${details}`);
      assert.match(details, message);
    };
    const base = { name: 'b', period: 'daily', amount_usd: 5 };
    await bad('POST', '/api/v1/budgets', { ...base, action: 'downgrade' }, 'downgrade_model', /required for action \\"downgrade\\"/);
    await bad('POST', '/api/v1/budgets', { ...base, action: 'block', downgrade_model: 'openai/gpt-4o-mini' }, 'downgrade_model', /only applies to action \\"downgrade\\"/);
    await bad('POST', '/api/v1/budgets', { ...base, action: 'stop' }, 'action', /block|downgrade|alert/);
    await bad('POST', '/api/v1/budgets', { ...base, scope: 'model', scope_value: 'gpt-4o', action: 'downgrade', downgrade_model: 'openai/gpt-4o' }, 'downgrade_model', /differ from the budgeted model/);

    const plain = await a('POST', '/api/v1/budgets', base);
    assert.equal(plain.status, 201);
    assert.deepEqual([plain.body.action, plain.body.downgrade_model], ['alert', null], 'a budget without an action only alerts');
    const id = String(plain.body.id);
    await bad('PATCH', `/api/v1/budgets/${id}`, { action: 'downgrade' }, 'downgrade_model', /required/);
    const down = await a('PATCH', `/api/v1/budgets/${id}`, { action: 'downgrade', downgrade_model: 'openai/gpt-4o-mini', amount_usd: 7 });
    assert.equal(down.status, 200, JSON.stringify(down.body));
    assert.deepEqual([down.body.action, down.body.downgrade_model, down.body.amount_usd, down.body.name], ['downgrade', 'openai/gpt-4o-mini', 7, 'b']);
    const blocked = await a('PATCH', `/api/v1/budgets/${id}`, { action: 'block' });
    assert.deepEqual([blocked.body.action, blocked.body.downgrade_model], ['block', null], 'leaving downgrade forgets its model');
    assert.equal((await a('PATCH', '/api/v1/budgets/nope', { action: 'block' })).status, 404);
    const list = (await a('GET', '/api/v1/budgets')).body.data as Array<{ budget: { id: string; action: string } }>;
    assert.deepEqual(list.map((s) => [s.budget.id, s.budget.action]), [[id, 'block']]);
    assert.equal((await a('DELETE', `/api/v1/budgets/${id}`)).status, 204);
  });

  it('block answers 402 naming the budget, the spend and when it resets; other users and models go on', async () => {
    const a = api('blocked');
    assert.equal((await a('PUT', `/api/v1/alert-config/${ids.blocked}`, {})).status, 200);
    const b = await a('POST', '/api/v1/budgets', { name: 'bob per day', scope: 'user', scope_value: 'bob', period: 'daily', amount_usd: 0.000001, action: 'block' });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    const m = await a('POST', '/api/v1/budgets', { name: '4o weekly', scope: 'model', scope_value: 'gpt-4o', period: 'weekly', amount_usd: 0.000001, action: 'block' });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    const c = client('blocked');
    const bob = { headers: { 'x-aether-user-id': 'bob' } };
    await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }, bob);
    await assert.rejects(c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }, bob), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError && e.status === 402, String(e));
      assert.match(e.message, /Budget "bob per day" \(user bob, daily\) is spent: \$0\.\d{4} of \$0\.0000 since \d{4}-\d\d-\d\dT00:00:00\.000Z; it resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
      assert.equal(e.headers?.get('x-aether-budget'), 'blocked');
      assert.ok(Number(e.headers?.get('retry-after')) > 0);
      return true;
    });
    await c.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: hi }, { headers: { 'x-aether-user-id': 'alice' } });
    await c.chat.completions.create({ model: 'openai/gpt-4o', messages: hi });
    await assert.rejects(c.chat.completions.create({ model: 'openai/gpt-4o', messages: hi }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 402 && /Budget "4o weekly" \(model gpt-4o, weekly\)/.test(e.message));

    // A blocking budget alerts too.
    let open: Array<{ details: Json }> = [];
    for (let i = 0; i < 100 && open.length < 2; i++) {
      open = ((await a('GET', '/api/v1/alerts?status=open&type=cost_budget')).body.data as typeof open).filter((x) => x.details.budget_id === b.body.id && x.details.action === 'block');
      if (open.length < 2) await sleep(50);
    }
    assert.equal(open.length, 2, 'warning and critical for the blocking budget');
  });

  it('an alert-only budget lets traffic through and fires the cost_budget alert', async () => {
    const a = api('watched');
    assert.equal((await a('PUT', `/api/v1/alert-config/${ids.watched}`, {})).status, 200);
    const b = await a('POST', '/api/v1/budgets', { name: 'watch only', period: 'monthly', amount_usd: 0.000001 });
    assert.equal(b.body.action, 'alert');
    const c = client('watched');
    for (let i = 0; i < 3; i++) {
      const { response } = await c.chat.completions.create({ model: 'openai/gpt-4o', messages: hi }).withResponse();
      assert.equal(response.headers.get('x-aether-model'), 'openai/gpt-4o');
      assert.equal(response.headers.get('x-aether-budget'), null);
    }
    let alerts: Array<{ severity: string; title: string; message: string; details: Json }> = [];
    for (let i = 0; i < 100 && alerts.length < 2; i++) {
      alerts = ((await a('GET', '/api/v1/alerts?status=open&type=cost_budget')).body.data as typeof alerts).filter((x) => x.details.budget_id === b.body.id);
      if (alerts.length < 2) await sleep(50);
    }
    assert.deepEqual(alerts.map((x) => x.severity).sort(), ['critical', 'warning']);
    assert.match(alerts[0]!.title, /Budget "watch only" \(the project, alert\) spend at \d+% of its monthly budget/);
    assert.match(alerts[0]!.message, /this month \(UTC, since \d{4}-\d\d-01\)/);
  });
});

const skipPg = await skipWithoutPostgres();
describe('a downgrade budget shared by two server processes on PostgreSQL', { skip: skipPg }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let upstream: Upstream;
  const dir = tempDir();
  const procs: ServerProcess[] = [];
  const keys: Record<string, string> = {};

  before(async () => {
    db = await createTestDatabase();
    upstream = await startUpstream();
    const store = await openStore({ databaseUrl: db.url, dataDir: dir.dir });
    const org = await store.organizations.create({ name: 'shared' });
    for (const slug of ['shop', 'calibrate']) {
      const p = await store.projects.create({ orgId: org.id, name: slug, slug });
      keys[slug] = (await store.apiKeys.create({ projectId: p.id })).key;
    }
    await store.close();
    const env = { ...upstreamEnv(upstream), DATABASE_URL: db.url, AETHER_DATA_DIR: dir.dir };
    procs.push(...(await Promise.all([startServer(['--no-worker'], env), startServer(['--no-worker'], env)])));
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    await upstream?.close();
    await db?.drop();
    dir.remove();
  });

  it('once process A spends the budget, process B serves the cheaper model within about a second', async () => {
    const [A, B] = procs as [ServerProcess, ServerProcess];
    const clientOf = (p: ServerProcess, slug = 'shop') => new OpenAI({ apiKey: keys[slug]!, baseURL: `${p.url}/v1`, maxRetries: 0 });
    const ask = async (p: ServerProcess) => {
      const { data, response } = await clientOf(p).chat.completions.create({ model: 'openai/gpt-4o', messages: hi }).withResponse();
      return { model: response.headers.get('x-aether-model'), budget: response.headers.get('x-aether-budget'), trace: response.headers.get('x-aether-trace-id')!, cost: Number(response.headers.get('x-aether-cost-usd')), data, upstreamModel: upstream.calls.at(-1)?.body.model };
    };
    // What one gpt-4o answer of the mock costs, measured on another project.
    const one = await clientOf(A, 'calibrate').chat.completions.create({ model: 'openai/gpt-4o', messages: hi }).withResponse();
    const c = Number(one.response.headers.get('x-aether-cost-usd'));
    assert.ok(c > 0, 'gpt-4o is priced');
    const amount = 20 * c;
    const made = await call(A.url, keys.shop!)('POST', '/api/v1/budgets', { name: 'shop daily', period: 'daily', amount_usd: amount, action: 'downgrade', downgrade_model: 'openai/gpt-4o-mini' });
    assert.equal(made.status, 201, JSON.stringify(made.body));

    // B serves the asked model while the budget has room, and so keeps a reading of the spend.
    const first = await ask(B);
    assert.deepEqual([first.model, first.budget], ['openai/gpt-4o', null]);

    // A spends the budget (B's own spend, one call, is far below it).
    let spentAt = 0;
    for (let i = 0; i < 40 && !spentAt; i++) {
      const r = await ask(A);
      if (r.budget === 'downgraded') spentAt = Date.now();
    }
    assert.ok(spentAt, 'A downgrades once it has spent the budget');

    // B, which spent only 1/20 of the budget itself, now downgrades too: through the store.
    let flipped: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await ask(B);
      if (r.budget === 'downgraded') {
        flipped = r;
        break;
      }
      await sleep(200);
    }
    const lagMs = Date.now() - spentAt;
    assert.ok(flipped, 'B downgraded');
    console.log(`# B downgraded ${lagMs} ms after A spent the budget`);
    assert.ok(lagMs < 3_000, `within about a second (${lagMs} ms, 1 s cache + trace write on a loaded 2-core machine)`);
    assert.equal(flipped.model, 'openai/gpt-4o-mini');
    assert.equal(flipped.upstreamModel, 'gpt-4o-mini', 'the upstream was asked for the cheaper model');
    assert.match(String(flipped.data.choices[0]!.message.content), /\S/);

    let trace: Json | undefined;
    for (let i = 0; i < 100 && !trace; i++) {
      const r = await call(B.url, keys.shop!)('GET', `/api/v1/traces/${flipped.trace}`);
      if (r.status === 200) trace = r.body;
      else await sleep(50);
    }
    assert.ok(trace, 'the downgraded call is traced');
    const meta = trace.metadata as Json;
    assert.equal(trace.model, 'gpt-4o-mini');
    assert.equal(meta.requested_model, 'openai/gpt-4o');
    assert.deepEqual(meta['aether.budget'], { action: 'downgrade', id: made.body.id, name: 'shop daily', from: 'openai/gpt-4o', to: 'openai/gpt-4o-mini' });
    assert.match(String(meta.budget), /Budget "shop daily" .* is spent: .*; downgraded to openai\/gpt-4o-mini/);

    // The dashboard's budget status reads the same spend.
    const status = (await call(B.url, keys.shop!)('GET', `/api/v1/budgets/${String(made.body.id)}/status`)).body;
    assert.ok(Number(status.spent_usd) >= amount, `spent ${String(status.spent_usd)} of ${amount}`);
    assert.equal((status.budget as Json).action, 'downgrade');
  });
});
