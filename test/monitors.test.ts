// Online monitors through their real surface: YAML files (line/field errors), every source against
// real data or a local server in its wire format, the API over both stores, scores on the traces,
// and a status change reaching a local Slack receiver exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { storeCases, tempDir } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startReceiver, type Receiver } from './helpers/slack-receiver.js';
import { MonitorSpecError, parseMonitorYaml, type RunReport } from '../src/monitors/index.js';
import { createRegistry } from '../src/evals/index.js';

const LANGFUSE_DIR = '/work/shared/data/traces/langfuse';
const HALUEVAL = '/work/shared/data/halueval_qa.dev.jsonl';
const ENV = { AETHER_QUEUE_POLL_MS: '20', AETHER_ALERT_POLL_MS: '20', AETHER_ALERT_DEBOUNCE_MS: '20', AETHER_ALERT_RETRY_BASE_MS: '40', AETHER_WORKER: 'false', AETHER_MONITOR_TICK_MS: '0' };

const waitFor = async (pred: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('monitor files', () => {
  const base = ['name: faith', 'source:', '  type: aether', 'metrics:', '  - name: token_overlap', 'thresholds:', '  token_overlap: { alert_below: 0.5 }', ''];
  const known = new Set(['token_overlap', 'faithfulness']);
  const issue = (lines: string[]) => {
    try {
      parseMonitorYaml(lines.join('\n'), 'm.yaml', { knownMetrics: known });
    } catch (e) {
      assert.ok(e instanceof MonitorSpecError, String(e));
      return e;
    }
    assert.fail('expected the file to be refused');
  };

  it('accepts a valid file and fills defaults', () => {
    const spec = parseMonitorYaml(base.join('\n'), 'm.yaml', { knownMetrics: known });
    assert.equal(spec.sampling.strategy, 'all');
    assert.deepEqual(spec.source, { type: 'aether', filters: {}, window: { since_last_run: true, lookback_minutes: 1440 } });
  });

  it('names line, column and field of each problem', () => {
    const bad = [...base];
    bad[2] = '  type: langfuse';
    const e1 = issue(bad);
    assert.equal(e1.issues[0]!.field, 'source.type');
    assert.equal(e1.issues[0]!.line, 3);
    assert.match(e1.message, /^m\.yaml:3:3: source\.type: must be one of: aether, jsonl/);

    const e2 = issue([...base.slice(0, 4), '  - name: token_overlap', '    weight: 2', ...base.slice(5)]);
    assert.match(e2.message, /m\.yaml:6:5: metrics\[0\]\.weight: unknown field "weight"/);

    const e3 = issue([...base, 'sampling: { strategy: random_rate, rate: 1.5 }']);
    assert.equal(e3.issues[0]!.field, 'sampling.rate');
    assert.equal(e3.issues[0]!.line, 9);

    const e4 = issue(base.map((l) => l.replace('- name: token_overlap', '- name: no_such_metric')));
    assert.match(e4.message, /m\.yaml:5:\d+: metrics\[0\]\.name: unknown metric "no_such_metric"/);

    const e5 = issue([...base, 'schedule: { cron: "every hour" }']);
    assert.match(e5.message, /m\.yaml:9:\d+: schedule\.cron: is not a valid cron expression/);

    const e6 = issue(['name: x', 'source: [unclosed']);
    assert.equal(e6.issues[0]!.line, 2);
    assert.match(issue(['name: *nowhere']).message, /Unresolved alias/);
    assert.match(issue([...base, 'extractor: { query: "turns[" }']).message, /m\.yaml:9:\d+: extractor\.query: is not a path/);
  });

  it("docs/monitors.md: the example is valid and at most 20 lines, and the errors it shows are the ones a user gets", () => {
    const md = readFileSync(new URL('../docs/monitors.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
    assert.ok(yaml.trimEnd().split('\n').length <= 20);
    const all = new Set(createRegistry().keys());
    const spec = parseMonitorYaml(yaml, 'prod-faithfulness.yaml', { knownMetrics: all });
    assert.equal(spec.source.type, 'aether');
    const shown = /```\n(prod-faithfulness\.yaml:7[^\n]*)\n(prod-faithfulness\.yaml:9[^\n]*)\n```/.exec(md)!;
    const strategy = (() => { try { parseMonitorYaml(yaml.replace('random_rate, rate: 0.05', 'sometimes'), 'prod-faithfulness.yaml', { knownMetrics: all }); } catch (e) { return (e as Error).message; } return ''; })();
    assert.equal(strategy, shown[1]);
    const metric = (() => { try { parseMonitorYaml(yaml.replace('name: faithfulness ', 'name: faithfullness '), 'prod-faithfulness.yaml', { knownMetrics: all }); } catch (e) { return (e as Error).message.split('\n')[0]!; } return ''; })();
    assert.ok(shown[2]!.replace(/, …$/, '').length > 40 && metric.startsWith(shown[2]!.replace(/, …$/, '')), metric);
    assert.match(md, /schedule: \[\{ cron: "5 \* \* \* \*" \}\][\s\S]*npx aether monitor run monitors\/prod-faithfulness\.yaml/);
  });
});

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`monitors on ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let slack: Receiver;
    let dir: { dir: string; remove: () => void };
    const h = () => ({ 'x-api-key': t.key, 'content-type': 'application/json' });
    const runFile = (yaml: string, name: string, opts: { dryRun?: boolean } = {}) => {
      const file = join(dir.dir, `${name}.yaml`);
      writeFileSync(file, yaml);
      return t.aether.monitors.runFile(t.projectId, yaml, file, opts);
    };

    before(async () => {
      t = await startTestApp(c, ENV);
      slack = await startReceiver();
      dir = tempDir('aether-monitors-');
    });
    after(async () => {
      await t.close();
      await slack.close();
      dir.remove();
    });

    it('Langfuse export files (real exports of ten frameworks) are items, mapped by the ingest module', async () => {
      const files = readdirSync(LANGFUSE_DIR).filter((f) => f.endsWith('.trace.json')).map((f) => join(LANGFUSE_DIR, f));
      const yaml = ['name: lf-files', 'source:', '  type: langfuse_file', `  path: ${JSON.stringify(files)}`, 'metrics: [{ name: pii }]'].join('\n');
      const r = await runFile(yaml, 'lf');
      assert.equal(r.itemsSeen, 10, r.errors.join('; '));
      assert.equal(r.scored, 10, r.errors.join('; '));
      const again = await runFile(yaml, 'lf');
      assert.equal(again.scored, 0);
      assert.equal(again.skippedDuplicates, 10);
    });

    it('JSONL (HaluEval) with a path mapping, random n sampling, fixed per monitor and item', async () => {
      const yaml = (name: string) =>
        [`name: ${name}`, 'source: { type: jsonl, path: ' + HALUEVAL + ' }', 'extractor: { query: question, reference: right_answer, metadata: { label: hallucinated } }',
          'sampling: { strategy: random_n, n: 25 }', 'metrics: [{ name: token_overlap }]'].join('\n');
      const dry1 = await runFile(yaml('halu'), 'halu', { dryRun: true });
      const dry2 = await runFile(yaml('halu'), 'halu', { dryRun: true });
      assert.equal(dry1.itemsSeen, 1000, dry1.errors.join('; '));
      assert.equal(dry1.sampled, 25);
      assert.deepEqual(dry1.aggregates, dry2.aggregates, 'the same 25 items both times');
      assert.equal(dry1.runId, null);
      const real = await runFile(yaml('halu'), 'halu');
      assert.equal(real.scored, 25);
      const rows = await t.aether.store.pool.query<{ n: number; q: number }>(
        `select count(*)::int as n, count(*) filter (where length(query) > 10)::int as q from monitor_results r join monitors m on m.id = r.monitor_id where m.name = 'halu'`,
      );
      assert.deepEqual(rows.rows[0], { n: 25, q: 25 }, 'one result row per sampled item, queries taken from "question"');
    });

    it('CSV with JSON cells, regex captures over prompt text, stratified sampling', async () => {
      const csv = ['id,prompt,answer,team', ...Array.from({ length: 12 }, (_, i) => `r${i},"Context: Paris is in France.\nQuestion: where is Paris ${i}?",Paris is in France.,${i % 3 === 0 ? 'a' : 'b'}`)].join('\n');
      writeFileSync(join(dir.dir, 'rows.csv'), csv);
      const yaml = ['name: csv-mon', 'source: { type: csv, path: rows.csv }', 'extractor:', '  response: answer', '  patterns:',
        '    - from: prompt', '      regex: "Context: (?<ctx>.*?)\\\\nQuestion: (?<q>.*)"', '      into: { ctx: contexts, q: query }',
        'sampling: { strategy: stratified, field: team, n_per_stratum: 2 }', 'metrics: [{ name: faithfulness, evaluator: local }]'].join('\n');
      const r = await runFile(yaml, 'csv');
      assert.equal(r.itemsSeen, 12);
      assert.equal(r.sampled, 4, 'two per team');
      assert.equal(r.scored, 4, r.errors.join('; '));
      const q = await t.aether.store.pool.query<{ query: string; score: number }>(`select r.query, r.score from monitor_results r join monitors m on m.id = r.monitor_id where m.name = 'csv-mon'`);
      for (const row of q.rows) assert.match(row.query, /^where is Paris \d+\?$/);
      assert.ok(q.rows.every((x) => x.score > 0.5), 'the captured context supports the answer');
    });

    it('a module hook shapes what a mapping cannot, and may skip items', async () => {
      writeFileSync(join(dir.dir, 'items.jsonl'), [1, 2, 3, 4].map((i) => JSON.stringify({ id: `m${i}`, turns: [{ q: `question ${i}` }, { a: `answer ${i}` }], skip: i === 4 })).join('\n'));
      writeFileSync(join(dir.dir, 'hook.mjs'), 'export default (item, mapped) => item.skip ? null : { ...mapped, query: item.turns[0].q, response: item.turns[1].a, contexts: [{ text: item.turns[1].a }] };\n');
      const yaml = ['name: hook-mon', 'source: { type: jsonl, path: items.jsonl }', 'extractor: { module: ./hook.mjs }', 'metrics: [{ name: token_overlap }]'].join('\n');
      const r = await runFile(yaml, 'hook');
      assert.equal(r.scored, 3);
      assert.equal(r.failed, 1);
      assert.match(r.errors.join(' '), /m4: the extractor skipped it/);
      assert.deepEqual(r.aggregates.token_overlap, { value: 1, n: 3 }, 'the hook supplied response and contexts');
    });

    it('a custom webhook metric scores items over its wire format', async () => {
      const bodies: Array<{ metric: string; trace: { query: string; response: string } }> = [];
      const server: Server = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          const b = JSON.parse(body) as { metric: string; trace: { query: string; response: string } };
          bodies.push(b);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ score: b.trace.response.includes('refund') ? 1 : 0, label: 'policy', reason: 'mentions the refund policy' }));
        });
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      try {
        writeFileSync(join(dir.dir, 'support.jsonl'), ['I want my money back|You can ask for a refund within 30 days.', 'Where is my order?|It ships tomorrow.'].map((l, i) => JSON.stringify({ id: `s${i}`, query: l.split('|')[0], response: l.split('|')[1] })).join('\n'));
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/score`;
        const yaml = ['name: custom-mon', 'source: { type: jsonl, path: support.jsonl }', `metrics: [{ type: webhook, name: refund_policy, url: "${url}" }]`].join('\n');
        const r = await runFile(yaml, 'custom');
        assert.equal(r.scored, 2, r.errors.join('; '));
        assert.deepEqual(r.aggregates.refund_policy, { value: 0.5, n: 2 });
        assert.equal(bodies[0]!.metric, 'refund_policy');
      } finally {
        server.close();
      }
    });

    it('a Slack channel export: messages with their threads are items', async () => {
      const ch = join(dir.dir, 'slack', 'support');
      mkdirSync(ch, { recursive: true });
      writeFileSync(join(ch, '2024-03-01.json'), JSON.stringify([
        { type: 'message', subtype: 'channel_join', user: 'U1', text: '<@U1> has joined the channel', ts: '1709280000.000100' },
        { type: 'message', user: 'U1', text: 'How do I reset my password?', ts: '1709280100.000200', thread_ts: '1709280100.000200', reply_count: 1 },
        { type: 'message', bot_id: 'B1', text: 'Open Settings, then Security, then Reset password.', ts: '1709280160.000300', thread_ts: '1709280100.000200', parent_user_id: 'U1' },
        { type: 'message', user: 'U2', text: 'Is the API down?', ts: '1709283600.000400' },
      ]));
      writeFileSync(join(ch, '2024-03-02.json'), JSON.stringify([{ type: 'message', user: 'U3', text: 'Thanks all', ts: '1709366400.000500' }]));
      const yaml = ['name: slack-mon', 'source: { type: slack, path: slack/support }', 'extractor: { metadata: { replies: reply_count } }', 'metrics: [{ name: toxicity }]'].join('\n');
      const r = await runFile(yaml, 'slack');
      assert.equal(r.itemsSeen, 3, `three conversations (the join is not one; the reply belongs to its thread) ${r.errors.join('; ')}`);
      assert.equal(r.scored, 3);
      const row = await t.aether.store.pool.query<{ item_id: string; response: string | null }>(`select r.item_id, r.response from monitor_results r join monitors m on m.id = r.monitor_id where m.name = 'slack-mon' order by item_id`);
      assert.equal(row.rows[0]!.item_id, '1709280100.000200');
      assert.equal(row.rows[0]!.response, 'Open Settings, then Security, then Reset password.');
    });

    it("Langfuse's public traces API: Basic auth, every page", async () => {
      const traces = Array.from({ length: 23 }, (_, i) => ({
        id: `lf-${i}`, timestamp: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(), name: 'chat', input: { query: `question ${i}` }, output: { response: `answer ${i}` },
        metadata: {}, tags: [], observations: [`obs-${i}`], scores: [], userId: null, sessionId: null, projectId: 'p', environment: 'default', latency: 1.2, totalCost: 0,
      }));
      const seen: string[] = [];
      const server: Server = createServer((req, res) => {
        const u = new URL(req.url ?? '/', 'http://x');
        seen.push(`${u.pathname}?${u.searchParams.get('page')}`);
        if (req.headers.authorization !== `Basic ${Buffer.from('pk-lf-1:sk-lf-1').toString('base64')}`) return void res.writeHead(401).end('{"message":"Unauthorized"}');
        const page = Number(u.searchParams.get('page'));
        const limit = Number(u.searchParams.get('limit'));
        const data = traces.slice((page - 1) * limit, page * limit);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data, meta: { page, limit, totalItems: traces.length, totalPages: Math.ceil(traces.length / limit) } }));
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const port = (server.address() as { port: number }).port;
      try {
        const spec = (secret: string) => ['name: lf-api', 'source:', '  type: langfuse_api', `  base_url: http://127.0.0.1:${port}`, '  public_key: pk-lf-1', `  secret_key: ${secret}`, '  page_limit: 10', 'metrics: [{ name: token_overlap }]'].join('\n');
        const denied = await runFile(spec('wrong'), 'lf-api', { dryRun: true });
        assert.match(denied.errors.join(' '), /HTTP 401/);
        process.env.TEST_LF_SECRET = 'sk-lf-1';
        const r = await runFile(spec('${TEST_LF_SECRET}'), 'lf-api');
        assert.equal(r.itemsSeen, 23);
        assert.equal(r.scored, 23, r.errors.join('; '));
        assert.deepEqual(seen.slice(-3), ['/api/public/traces?1', '/api/public/traces?2', '/api/public/traces?3']);
      } finally {
        server.close();
      }
    });

    it('API: stored monitor over Aether traces; scores land on the traces; the second run scores 0; a status change reaches Slack once', async () => {
      const put = await t.aether.server.inject({ method: 'PUT', url: `/api/v1/alert-config/${t.projectId}`, headers: h(), payload: JSON.stringify({ slack_enabled: true, slack_webhook_url: slack.url }) });
      assert.equal(put.statusCode, 200, put.body);
      const ingest = async (n: number, response: string, tag: string) => {
        const traces = Array.from({ length: n }, (_, i) => ({
          query: `What is the capital of France? (${tag} ${i})`, contexts: [{ text: 'Paris is the capital of France.' }], response, tags: [tag],
          timestamp: new Date(Date.now() - 60_000).toISOString(),
        }));
        const r = await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces/batch', headers: h(), payload: JSON.stringify({ traces }) });
        assert.ok(r.statusCode < 300, r.body);
        await t.aether.ingest.writer.flushed();
      };
      await ingest(6, 'Lyon hosts nine million residents since 1852.', 'prod');
      await ingest(3, 'Paris is the capital of France.', 'staging');

      const bad = await t.aether.server.inject({ method: 'POST', url: '/api/v1/monitors', headers: h(), payload: JSON.stringify({ yaml: 'name: x\nsource: { type: jsonl, path: /etc/passwd }\nmetrics: [{ name: pii }]\n' }) });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json<{ error: { message: string } }>().error.message, /source\.type: jsonl reads files/);
      const badYaml = await t.aether.server.inject({ method: 'POST', url: '/api/v1/monitors', headers: h(), payload: JSON.stringify({ yaml: 'name: x\nsource: { type: aether }\nmetrics: [{ name: pii }]\nsampling: { strategy: sometimes }\n' }) });
      assert.equal(badYaml.statusCode, 400);
      assert.match(badYaml.json<{ error: { message: string } }>().error.message, /yaml:4:\d+: sampling\.strategy: must be one of/);

      const yaml = ['name: prod-overlap', 'source:', '  type: aether', '  filters: { tag: prod }', 'metrics: [{ name: token_overlap }]', 'schedule: { interval_minutes: 60 }',
        'thresholds:', '  token_overlap: { aggregate: mean, alert_below: 0.5, min_samples: 3 }'].join('\n');
      const created = await t.aether.server.inject({ method: 'POST', url: '/api/v1/monitors', headers: h(), payload: JSON.stringify({ yaml }) });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<{ id: string }>().id;
      const other = await t.aether.server.inject({ method: 'GET', url: `/api/v1/monitors/${id}`, headers: { 'x-api-key': t.other.key } });
      assert.equal(other.statusCode, 404, 'another project does not see it');

      const run = async () => {
        const r = await t.aether.server.inject({ method: 'POST', url: `/api/v1/monitors/${id}/run`, headers: h(), payload: '{}' });
        assert.equal(r.statusCode, 200, r.body);
        return r.json<RunReport>();
      };
      const first = await run();
      assert.equal(first.itemsSeen, 6, 'only prod traces');
      assert.equal(first.scored, 6);
      assert.equal(first.status, 'ALERT');
      assert.equal(first.previousStatus, 'NO_DATA');
      const list = await t.aether.server.inject({ method: 'GET', url: '/api/v1/traces?tag=prod&limit=1', headers: h() });
      const traceId = list.json<{ data: Array<{ id: string }> }>().data[0]!.id;
      const evs = await t.aether.server.inject({ method: 'GET', url: `/api/v1/traces/${traceId}`, headers: h() });
      assert.match(evs.body, /"evaluator":"monitor:prod-overlap\/local"/, 'the score is attached to the judged trace');

      await waitFor(() => slack.posts.length >= 1, 15_000, 'the Slack message');
      const text = JSON.stringify(slack.posts[0]!.json);
      assert.match(text, /Monitor prod-overlap: ALERT/);
      assert.match(text, /Worst items/);

      const second = await run();
      assert.equal(second.scored, 0);
      assert.equal(second.status, 'NO_DATA');
      await ingest(4, 'Lyon, nine million residents.', 'prod');
      const third = await run();
      assert.equal(third.scored, 4);
      assert.equal(third.status, 'ALERT', 'still alerting: no new message');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(slack.posts.length, 1, 'Slack heard once for one status change');

      const runs = await t.aether.server.inject({ method: 'GET', url: `/api/v1/monitors/${id}/runs`, headers: h() });
      const data = runs.json<{ data: Array<{ scored: number; skipped_duplicates: number; items_seen: number }> }>().data;
      assert.deepEqual(data.map((x) => x.scored), [4, 0, 6]);
      assert.deepEqual(data.map((x) => x.items_seen), [4, 0, 6], 'each run starts where the last stopped');

      const del = await t.aether.server.inject({ method: 'DELETE', url: `/api/v1/monitors/${id}`, headers: h() });
      assert.equal(del.statusCode, 204);
      const gone = await t.aether.server.inject({ method: 'GET', url: `/api/v1/monitors/${id}/runs`, headers: h() });
      assert.equal(gone.statusCode, 404);
    });
  });
}

describe('the scheduler inside the server process', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(storeCases[0]!, { ...ENV, AETHER_MONITOR_TICK_MS: '100' });
  });
  after(() => t.close());

  it('runs a stored scheduled monitor on its own, once per due time', async () => {
    const h = { 'x-api-key': t.key, 'content-type': 'application/json' };
    await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces', headers: h, payload: JSON.stringify({ query: 'q', response: 'a', contexts: [{ text: 'a' }] }) });
    await t.aether.ingest.writer.flushed();
    const yaml = 'name: sched\nsource: { type: aether }\nmetrics: [{ name: token_overlap }]\nschedule: { interval_minutes: 60 }\n';
    const c = await t.aether.server.inject({ method: 'POST', url: '/api/v1/monitors', headers: h, payload: JSON.stringify({ yaml }) });
    assert.equal(c.statusCode, 201, c.body);
    const id = c.json<{ id: string }>().id;
    const runs = async () => (await t.aether.server.inject({ method: 'GET', url: `/api/v1/monitors/${id}/runs`, headers: h })).json<{ data: Array<{ trigger: string; scored: number; status: string }> }>().data;
    await waitFor(async () => (await runs()).some((r) => r.status !== 'running'), 20_000, 'the scheduled run');
    await new Promise((r) => setTimeout(r, 600));
    const all = await runs();
    assert.equal(all.length, 1, 'not again before the next hour');
    assert.equal(all[0]!.trigger, 'schedule');
    assert.equal(all[0]!.scored, 1);
  });
});
