// Alerts end to end: the seed's alert-config pointed at a local Slack receiver; bursts of
// hallucinations, a budget crossing and a latency spike each produce one message and resolve.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startReceiver, type Receiver } from './helpers/slack-receiver.js';

const ENV = {
  AETHER_QUEUE_POLL_MS: '20',
  AETHER_ALERT_DEBOUNCE_MS: '20',
  AETHER_ALERT_POLL_MS: '20',
  AETHER_ALERT_RETRY_BASE_MS: '40',
  AETHER_ALERT_INTERVAL_MS: '200',
  AETHER_PUBLIC_URL: 'http://aether.example:8000',
};

const HALLUCINATED = {
  query: 'What is the capital of France?',
  contexts: [{ text: 'Paris is the capital and most populous city of France.' }],
  response: 'The capital of France is Lyon, since 1852, with 9 million residents.',
};
const FAITHFUL = { ...HALLUCINATED, response: 'Paris is the capital and most populous city of France.' };

const waitFor = async (pred: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

interface SlackBody {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ url?: string }> }>;
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`alerts: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let slack: Receiver;
    const h = () => ({ 'content-type': 'application/json', 'x-api-key': t.key });
    const put = (body: unknown) => t.aether.server.inject({ method: 'PUT', url: `/api/v1/alert-config/${t.projectId}`, headers: h(), payload: JSON.stringify(body) });
    const get = (url: string) => t.aether.server.inject({ method: 'GET', url, headers: h() });
    const ingest = async (body: unknown) => {
      const r = await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces', headers: h(), payload: JSON.stringify(body) });
      assert.equal(r.statusCode, 201, r.body);
    };
    const posts = (filter: (b: SlackBody) => boolean) => slack.posts.map((p) => p.json as unknown as SlackBody).filter(filter);
    // The seed's alert-config, pointed at the local receiver, with a small sample minimum.
    const seedConfig = () => ({
      slack_webhook_url: slack.url,
      slack_enabled: true,
      hallucination_threshold: 0.5,
      hallucination_alerts_enabled: true,
      daily_cost_budget_usd: 10.0,
      cost_spike_alerts_enabled: false,
      latency_p95_threshold_ms: 3000,
      latency_alerts_enabled: true,
      min_samples: 5,
      window_minutes: 5,
      cooldown_minutes: 0,
    });

    before(async () => {
      slack = await startReceiver();
      t = await startTestApp(c, ENV);
    });
    after(async () => {
      await t?.close();
      await slack?.close();
    });
    afterEach(async () => {
      // each test starts from a clean slate: no traffic in the window, no open alerts. The engine may be
      // mid-cycle (it read the old window before the delete and writes after it), so clear twice.
      const clear = 'delete from rag_traces; delete from evaluations; delete from alerts; delete from alert_deliveries; delete from eval_jobs';
      await t.aether.store.pool.query(clear);
      await new Promise((r) => setTimeout(r, Number(ENV.AETHER_ALERT_INTERVAL_MS) * 3));
      await t.aether.store.pool.query(clear);
      slack.posts.length = 0;
    });

    it('validates the config field by field, masks the webhook URL, and sends a test message', async () => {
      const bad = await put({ slack_enabled: true, hallucination_threshold: 2 });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /hallucination_threshold/);
      const noUrl = await put({ slack_enabled: true });
      assert.equal(noUrl.statusCode, 400);
      assert.match(noUrl.json<{ error: { message: string } }>().error.message, /slack_webhook_url: is required when slack_enabled/);
      const ok = await put(seedConfig());
      assert.equal(ok.statusCode, 200, ok.body);
      const shown = (await get(`/api/v1/alert-config/${t.projectId}`)).json<{ slack_webhook_url: string; error_rate_threshold: number }>();
      assert.ok(!shown.slack_webhook_url.includes('XXXX'), 'the secret part of the URL is not shown');
      assert.equal(shown.error_rate_threshold, 0.05);
      assert.equal((await put({ ...seedConfig(), slack_webhook_url: shown.slack_webhook_url })).statusCode, 200, 'sending the masked value back keeps the URL');
      const stored = await t.aether.store.pool.query<{ config: { slack_webhook_url: string } }>('select config from alert_configs where project_id = $1', [t.projectId]);
      assert.match(stored.rows[0]!.config.slack_webhook_url, /^enc:v1:/, 'encrypted at rest');
      const test = await t.aether.server.inject({ method: 'POST', url: `/api/v1/alert-config/${t.projectId}/test`, headers: h() });
      assert.deepEqual(test.json<{ results: unknown[] }>().results, [{ channel: 'slack', ok: true }, { channel: 'log', ok: true }]);
      assert.equal(slack.posts.length, 1);
      assert.equal((await t.aether.server.inject({ method: 'GET', url: `/api/v1/alert-config/${t.other.projectId}`, headers: h() })).statusCode, 404);
    });

    it('a burst of hallucinations sends exactly one Slack message with the rate and a link, and resolves when it ends', async () => {
      await put(seedConfig());
      for (let i = 0; i < 8; i++) await ingest(HALLUCINATED);
      await waitFor(() => posts((b) => /Hallucination rate/.test(b.text)).length >= 1, 15_000, 'the hallucination alert');
      await new Promise((r) => setTimeout(r, 600)); // more evaluations and scheduler ticks: still one message
      const fired = posts((b) => /Hallucination rate/.test(b.text) && !/Resolved/.test(b.text));
      assert.equal(fired.length, 1);
      const msg = JSON.stringify(fired[0]);
      assert.match(msg, /100%/);
      assert.match(msg, /http:\/\/aether\.example:8000\/alerts\//, 'links to the alert in the dashboard');
      const alerts = (await get('/api/v1/alerts?status=open&type=hallucination_rate')).json<{ data: Array<{ id: string; details: { value: number } }> }>().data;
      assert.equal(alerts.length, 1);

      for (let i = 0; i < 80; i++) await ingest(FAITHFUL); // 8 of 88 = 9.1%: below 10%, but inside the hysteresis band
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(posts((b) => /Resolved: Hallucination rate/.test(b.text)).length, 0, 'just below the threshold holds the alert open');
      for (let i = 0; i < 40; i++) await ingest(FAITHFUL); // 8 of 128 = 6.25%: at or below 10% × (1 − 0.2)
      await waitFor(() => posts((b) => /Resolved: Hallucination rate/.test(b.text)).length === 1, 15_000, 'the resolution');
      const resolved = (await get(`/api/v1/alerts/${alerts[0]!.id}`)).json<{ title: string; details: { value: number } }>();
      assert.ok(resolved.details.value <= 0.08, `resolved at ${resolved.details.value}, at or below 10% × (1 − 0.2)`);
      const said = posts((b) => /Resolved: Hallucination rate/.test(b.text))[0]!.text;
      assert.ok(said.includes(`${Number((resolved.details.value * 100).toFixed(2))}%`), `the resolved message states the rate at resolve time: ${said}`);
      assert.equal((await get(`/api/v1/alerts/${alerts[0]!.id}`)).json<{ status: string; resolved_by: string }>().resolved_by, 'auto');
      assert.equal(posts((b) => /Hallucination rate/.test(b.text)).length, 2, 'one fired, one resolved; nothing else');
    });

    it('the seed config as sent (no min_samples): six hallucinated traces in a row reach Slack', async () => {
      const { min_samples: _m, window_minutes: _w, ...asSent } = seedConfig();
      await put(asSent);
      for (let i = 0; i < 6; i++) await ingest(HALLUCINATED);
      await waitFor(() => posts((b) => /Hallucination rate/.test(b.text)).length >= 1, 15_000, 'the hallucination alert');
      type Open = { title: string; message: string; details: { value: number; samples: number; lower_bound: number } };
      const openAlert = async () => (await get('/api/v1/alerts?status=open&type=hallucination_rate')).json<{ data: Open[] }>().data[0];
      // It fires as soon as the bound clears 10% (two of two) and its numbers follow the later evaluations.
      await waitFor(async () => (await openAlert())?.details.samples === 6, 15_000, 'all six counted');
      const alert = (await openAlert())!;
      assert.equal(alert.details.value, 1);
      assert.ok(alert.details.lower_bound > 0.1, 'the lower confidence bound is above the 10% default');
      assert.match(alert.message, /6 of 6 evaluated traces/);
      assert.match(alert.title, /Hallucination rate 100%/);
      assert.equal(posts((b) => /Hallucination rate/.test(b.text)).length, 1, 'one message for the burst');
    });

    it('a daily budget crossing warns at 80% and goes critical at 100%, once each', async () => {
      await put(seedConfig());
      await ingest({ ...FAITHFUL, cost_usd: 5 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(posts((b) => /budget/.test(b.text)).length, 0, '50% of the budget is quiet');
      await ingest({ ...FAITHFUL, cost_usd: 3.5 });
      await waitFor(() => posts((b) => /budget/.test(b.text)).length === 1, 10_000, 'the warning');
      assert.match(JSON.stringify(posts((b) => /budget/.test(b.text))[0]), /85%/);
      await ingest({ ...FAITHFUL, cost_usd: 2 });
      await waitFor(() => posts((b) => /budget/.test(b.text)).length === 2, 10_000, 'the critical alert');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(posts((b) => /budget/.test(b.text)).length, 2);
      const open = (await get('/api/v1/alerts?status=open&type=cost_budget')).json<{ data: Array<{ severity: string }> }>().data;
      assert.deepEqual(open.map((a) => a.severity).sort(), ['critical', 'warning']);
    });

    it('a latency spike fires once and resolves when latency recovers', async () => {
      await put(seedConfig());
      for (let i = 0; i < 6; i++) await ingest({ ...FAITHFUL, latency_ms: 5000 + i });
      await waitFor(() => posts((b) => /p95 latency/.test(b.text)).length === 1, 10_000, 'the latency alert');
      assert.match(JSON.stringify(posts((b) => /p95 latency/.test(b.text))[0]), /3000/);
      for (let i = 0; i < 120; i++) await ingest({ ...FAITHFUL, latency_ms: 200 });
      await waitFor(() => posts((b) => /Resolved: p95 latency/.test(b.text)).length === 1, 10_000, 'the resolution');
      assert.equal(posts((b) => /p95 latency/.test(b.text)).length, 2);
      const [resolved] = (await get('/api/v1/alerts?type=latency_p95')).json<{ data: Array<{ title: string; message: string; details: { value: number } }> }>().data;
      const v = resolved!.details.value;
      assert.ok(v <= 2400, `resolved with the p95 at resolve time (${v} ms), at or below 3000 × (1 − 0.2)`);
      assert.ok(resolved!.title.includes(`p95 latency ${v} ms`) && resolved!.message.includes(`is ${v} ms`), 'title, message and details agree');
      assert.ok(posts((b) => /Resolved: p95 latency/.test(b.text))[0]!.text.includes(`${v} ms`));
    });

    it('a channel that is down delays the alert; it is delivered once, and every attempt is recorded', async () => {
      await put(seedConfig());
      slack.failNext('500', 3);
      for (let i = 0; i < 6; i++) await ingest({ ...FAITHFUL, latency_ms: 9000 });
      await waitFor(() => posts((b) => /p95 latency/.test(b.text)).length === 1, 15_000, 'delivery after the outage');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(posts((b) => /p95 latency/.test(b.text)).length, 1, 'not duplicated');
      const [alert] = (await get('/api/v1/alerts?type=latency_p95')).json<{ data: Array<{ id: string }> }>().data;
      const detail = (await get(`/api/v1/alerts/${alert!.id}`)).json<{ deliveries: Array<{ channel: string; status: string; attempt_log: Array<{ ok: boolean; status_code: number }> }> }>();
      const s = detail.deliveries.find((d) => d.channel === 'slack')!;
      assert.equal(s.status, 'delivered');
      assert.deepEqual(s.attempt_log.map((a) => a.ok), [false, false, false, true]);
      assert.equal(s.attempt_log[0]!.status_code, 500);
    });

    it('resolves by hand, refuses to resolve twice, and signs generic webhooks', async () => {
      const hook = await startReceiver();
      try {
        const secret = 'whsec_0123456789abcdef';
        const saved = await put({ ...seedConfig(), slack_enabled: false, webhook_enabled: true, webhook_url: hook.url, webhook_secret: secret });
        assert.equal(saved.statusCode, 200, saved.body);
        for (let i = 0; i < 6; i++) await ingest({ ...FAITHFUL, latency_ms: 9000 });
        const fired = () => hook.posts.filter((x) => (x.json as { event: string }).event === 'fired');
        await waitFor(() => fired().length === 1, 10_000, 'the webhook');
        const p = fired()[0]!;
        const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(p.headers['x-aether-signature'])) ?? [];
        assert.equal(mac, createHmac('sha256', secret).update(`${ts}.${p.body}`).digest('hex'));
        assert.equal((p.json as { event: string }).event, 'fired');
        const id = (p.json as { alert: { id: string } }).alert.id;
        const r1 = await t.aether.server.inject({ method: 'POST', url: `/api/v1/alerts/${id}/resolve`, headers: h() });
        assert.equal(r1.statusCode, 200);
        assert.equal(r1.json<{ resolved_by: string }>().resolved_by, 'manual');
        assert.equal((await t.aether.server.inject({ method: 'POST', url: `/api/v1/alerts/${id}/resolve`, headers: h() })).statusCode, 409);
        await waitFor(() => hook.posts.some((x) => (x.json as { event: string; alert: { id: string } }).event === 'resolved' && (x.json as { alert: { id: string } }).alert.id === id), 10_000, 'the resolved event');
        const other = await t.aether.server.inject({ method: 'GET', url: `/api/v1/alerts/${id}`, headers: { 'x-api-key': t.other.key } });
        assert.equal(other.statusCode, 404, "another project's key cannot see it");
      } finally {
        await hook.close();
      }
    });
  });
}
