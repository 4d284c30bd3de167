// Failure behaviour of the TypeScript SDK: retries with backoff through a fault-injecting proxy in
// front of a real server, exactly-once storage despite resends, bounded memory, and a host
// application that never sees an SDK error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AetherClient, type AetherClientOptions, type AetherError } from '../../sdk/src/index.js';
import { countTraces, forward, listenLocal, readBody, startSdkServer, type LocalServer, type SdkServer } from './helpers/server.js';

describe('TypeScript SDK failure behaviour', () => {
  let s: SdkServer;
  const closers: Array<() => Promise<void>> = [];
  const client = (opts: Partial<AetherClientOptions>) => {
    const c = new AetherClient({ apiKey: s.key, baseUrl: s.url, flushIntervalMs: 3_600_000, retryBaseMs: 10, ...opts });
    closers.push(() => c.shutdown());
    return c;
  };
  /** A proxy to the real server whose answer to request n (0-based) `fault` may replace. */
  const proxy = async (fault: (n: number, traces: number) => { status: number; headers?: Record<string, string>; forward?: boolean } | 'hang' | undefined) => {
    let n = 0;
    const p: LocalServer = await listenLocal((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const traces = (JSON.parse(body) as { traces: unknown[] }).traces.length;
        const f = fault(n++, traces);
        if (f === 'hang') return; // never answer: the client must time out
        if (f) {
          if (f.forward) await forward(req, body, s.url); // committed upstream, but the client hears a failure
          res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers }).end('{"error":{"code":"fault","message":"injected"}}');
          return;
        }
        const up = await forward(req, body, s.url);
        res.writeHead(up.status, { 'content-type': up.type }).end(up.body);
      })();
    });
    closers.push(() => p.close());
    return { url: p.url, requests: () => n };
  };

  before(async () => {
    s = await startSdkServer();
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    await s?.close();
  });

  it('retries a 503 and a 429 (honouring Retry-After) until the batch is stored', async () => {
    const p = await proxy((n) =>
      n === 0 ? { status: 503 } : n === 1 ? { status: 429, headers: { 'retry-after': '0.3' } } : undefined,
    );
    const errors: AetherError[] = [];
    const aether = client({ baseUrl: p.url, onError: (e) => errors.push(e) });
    const id = aether.capture({ query: 'retried' });
    const t0 = Date.now();
    await aether.flush();
    assert.ok(Date.now() - t0 >= 280, 'waited as Retry-After asked');
    assert.equal(p.requests(), 3);
    assert.deepEqual(errors, []);
    assert.deepEqual(aether.stats(), { queued: 0, sent: 1, dropped: 0, failed: 0 });
    assert.equal((await s.get(id))?.query, 'retried');
  });

  it('stores a batch once when it was committed but the answer was lost and the SDK resent it', async () => {
    const p = await proxy((n) => (n === 0 ? { status: 502, forward: true } : undefined));
    const aether = client({ baseUrl: p.url });
    const before = await countTraces(s);
    const f = aether.trace((q: string) => `re: ${q}`);
    for (let i = 0; i < 20; i++) f(`resent ${i}`);
    await aether.flush();
    assert.equal(p.requests(), 2);
    assert.equal(aether.stats().sent, 20);
    assert.equal(await countTraces(s), before + 20);
  });

  it('times out a request that gets no answer and retries it', async () => {
    const p = await proxy((n) => (n === 0 ? 'hang' : undefined));
    const aether = client({ baseUrl: p.url, timeoutMs: 200 });
    const id = aether.capture({ query: 'after timeout' });
    await aether.flush();
    assert.equal(p.requests(), 2);
    assert.ok(await s.get(id));
  });

  it('splits a batch the server finds too large (413)', async () => {
    const p = await proxy((_n, traces) => (traces > 2 ? { status: 413 } : undefined));
    const aether = client({ baseUrl: p.url });
    for (let i = 0; i < 7; i++) aether.capture({ query: `split ${i}` });
    await aether.flush();
    assert.deepEqual(aether.stats(), { queued: 0, sent: 7, dropped: 0, failed: 0 });
  });

  it('gives up after maxRetries with backoff, counts the traces as failed and reports why', async () => {
    const p = await proxy(() => ({ status: 500 }));
    const errors: AetherError[] = [];
    const aether = client({ baseUrl: p.url, maxRetries: 3, onError: (e) => errors.push(e) });
    aether.capture({ query: 'doomed' });
    aether.capture({ query: 'doomed too' });
    await aether.flush();
    assert.equal(p.requests(), 4);
    assert.deepEqual(aether.stats(), { queued: 0, sent: 0, dropped: 0, failed: 2 });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.count, 2);
    assert.match(errors[0]!.message, /HTTP 500.*gave up after 4 attempts/);
  });

  it('with the server down the caller is unaffected and onError hears about it', async () => {
    const dead = await listenLocal(() => {});
    await dead.close(); // a port nobody listens on
    const errors: AetherError[] = [];
    const aether = client({ baseUrl: dead.url, maxRetries: 1, onError: (e) => errors.push(e) });
    const f = aether.trace(async (q: string) => q.length);
    assert.equal(await f('still works'), 11);
    aether.traceSpan((sp) => sp.addContexts(['x']).setResponse('y'), { name: 'down' });
    await aether.flush();
    assert.deepEqual(aether.stats(), { queued: 0, sent: 0, dropped: 0, failed: 2 });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /cannot reach/);
  });

  it('a full queue drops the oldest traces and counts them', async () => {
    const aether = client({ maxQueue: 5, batchSize: 1000 });
    const f = aether.trace((q: string) => q);
    for (let i = 0; i < 8; i++) f(`bounded ${i}`);
    assert.deepEqual(aether.stats(), { queued: 5, sent: 0, dropped: 3, failed: 0 });
    await aether.flush();
    const r = await fetch(`${s.url}/api/v1/traces?q=bounded&limit=50`, { headers: { 'x-api-key': s.key } });
    const queries = ((await r.json()) as { data: Array<{ query: string }> }).data.map((t) => t.query).sort();
    assert.deepEqual(queries, ['bounded 3', 'bounded 4', 'bounded 5', 'bounded 6', 'bounded 7']);
  });

  it('odd values, throwing extractors and a throwing onError never reach the caller', async () => {
    const aether = client({
      onError: () => {
        throw new Error('onError itself fails');
      },
    });
    const circular: Record<string, unknown> = { name: 'loop', big: 10n };
    circular.self = circular;
    const f = aether.trace((input: Record<string, unknown>) => ({ ...input, answer: 42 }), {
      response: () => {
        throw new Error('extractor bug');
      },
      metadata: { when: new Date(0) },
    });
    assert.equal(f(circular).answer, 42);
    const g = aether.trace((x: unknown) => x);
    assert.equal(g(circular), circular);
    aether.traceSpan((sp) => sp.setMetadata({ bad: circular }).setResponse(circular), { name: 'odd' });
    aether.capture({ query: 'q', user_id: '' }); // rejected by the server: reported to a throwing onError
    await aether.flush();
    const st = aether.stats();
    assert.equal(st.sent + st.failed, 4);
    assert.equal(st.sent, 3);
  });
});
