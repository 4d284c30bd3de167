// Custom metrics: a module loaded at start-up and a per-project HMAC-signed webhook.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

describe('custom metrics', () => {
  let t: TestApp;
  let hook: Server;
  let hookUrl = '';
  const received: Array<{ signature: string; body: string }> = [];
  const SECRET = 'a-webhook-secret-of-some-length';

  before(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ signature: String(req.headers['x-aether-signature'] ?? ''), body });
        const { trace } = JSON.parse(body) as { trace: { response: string } };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ score: trace.response.includes('please') ? 1 : 0.2, label: 'politeness', reason: 'counted pleases' }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const a = hook.address();
    hookUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/score`;
    t = await startTestApp(storeCases[0]!, {
      AETHER_QUEUE_POLL_MS: '20',
      AETHER_CUSTOM_METRICS: fileURLToPath(new URL('./fixtures/shout-metric.mjs', import.meta.url)),
    });
  });
  after(async () => {
    await t?.close();
    await new Promise((r) => hook.close(r));
  });

  it('runs a module metric and a signed webhook metric named in the project config', async () => {
    const h = { 'content-type': 'application/json', 'x-api-key': t.key };
    const put = await t.aether.server.inject({
      method: 'PUT',
      url: `/api/v1/projects/${t.projectId}/evaluation-config`,
      headers: h,
      payload: JSON.stringify({ metrics: ['shouting'], custom_metrics: [{ type: 'webhook', name: 'politeness', url: hookUrl, secret: SECRET }] }),
    });
    assert.equal(put.statusCode, 200, put.body);
    const r = await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces', headers: h, payload: JSON.stringify({ query: 'q', response: 'HELLO there, please wait' }) });
    const id = r.json<{ id: string }>().id;
    let evals: Array<{ metric: string; score: number; evaluator: string }> = [];
    const end = Date.now() + 10_000;
    while (evals.length < 2 && Date.now() < end) {
      evals = (await t.aether.server.inject({ method: 'GET', url: `/api/v1/traces/${id}`, headers: h })).json<{ evaluations: typeof evals }>().evaluations;
      await new Promise((r) => setTimeout(r, 50));
    }
    const by = Object.fromEntries(evals.map((e) => [e.metric, e]));
    assert.equal(by.shouting!.score, 5 / 20, '5 of 20 letters are upper case');
    assert.equal(by.shouting!.evaluator, 'module:shouting');
    assert.equal(by.politeness!.score, 1);
    assert.equal(by.politeness!.evaluator, 'webhook:politeness');
    const { signature, body } = received[0]!;
    const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
    assert.equal(mac, createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex'), 'the signature verifies with the shared secret');
  });
});
