// Offline tests of the TypeScript SDK's pieces: ids and sampling, the ring buffer, backoff, the
// wire format the server's strict schema accepts, and result observation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTraceId, sampled } from '../../sdk/src/ids.js';
import { BoundedQueue } from '../../sdk/src/queue.js';
import { backoffMs } from '../../sdk/src/transport.js';
import { isoMicros, safeJson, traceBody } from '../../sdk/src/wire.js';
import { toContext } from '../../sdk/src/contexts.js';
import { newTraceRecord, newSpanRecord } from '../../sdk/src/record.js';
import { observe } from '../../sdk/src/observe.js';
import { traceInputSchema } from '../../src/core/schemas/trace.js';
import { sampled as serverSampled } from '../../src/core/schemas/evaluation.js';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('SDK ids and sampling', () => {
  it('makes time-ordered UUIDv7 ids', () => {
    const a = newTraceId(1_700_000_000_000);
    assert.match(a, UUID7);
    assert.ok(a.startsWith('018bcfe5-6800'));
    assert.ok(a < newTraceId(1_700_000_000_001));
    assert.equal(new Set(Array.from({ length: 10_000 }, () => newTraceId())).size, 10_000);
  });

  it('samples exactly like the server (FNV-1a), checked on standard vectors and random ids', () => {
    for (const [text, h] of [['a', 0xe40c292c], ['foobar', 0xbf9cf968]] as const) {
      assert.equal(sampled(text, h / 2 ** 32 + 1e-9), true);
      assert.equal(sampled(text, h / 2 ** 32), false);
    }
    for (let i = 0; i < 1000; i++) {
      const id = newTraceId();
      assert.equal(sampled(id, 0.37), serverSampled(id, 0.37));
    }
  });
});

describe('SDK bounded queue', () => {
  it('keeps the newest items and reports each overwrite', () => {
    const q = new BoundedQueue<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => q.push(n));
    assert.deepEqual(dropped, [false, false, false, true, true]);
    assert.equal(q.peek(), 3);
    assert.deepEqual(q.take(2), [3, 4]);
    q.push(6);
    q.push(7);
    assert.deepEqual(q.take(10), [5, 6, 7]);
    assert.equal(q.length, 0);
    assert.equal(q.peek(), undefined);
  });
});

describe('SDK backoff', () => {
  it('honours Retry-After in seconds or as a date, capped at a minute', () => {
    assert.equal(backoffMs(0, 250, '2'), 2000);
    assert.equal(backoffMs(0, 250, '3600'), 60_000);
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(backoffMs(0, 250, 'Tue, 01 Jan 2030 00:00:05 GMT', now), 5000);
  });
  it('otherwise waits a random time up to base × 2^attempt, capped at 30 s', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffMs(attempt, 250, null);
      assert.ok(d >= 0 && d <= Math.min(30_000, 250 * 2 ** attempt));
    }
  });
});

describe('SDK wire format', () => {
  it('maps common context shapes', () => {
    assert.deepEqual(toContext('plain', 100), { text: 'plain' });
    assert.deepEqual(toContext({ pageContent: 'doc', metadata: { source: 'kb/1.md', relevance_score: 0.4 } }, 100), {
      text: 'doc',
      source: 'kb/1.md',
      score: 0.4,
      metadata: { source: 'kb/1.md', relevance_score: 0.4 },
    });
    assert.deepEqual(toContext([{ text: 't', id: 7 }, 0.8], 100), { text: 't', source: '7', score: 0.8 });
    assert.deepEqual(toContext({ content: 'x'.repeat(10) }, 4), { text: 'xxxx' });
    assert.equal(toContext(null, 10), undefined);
  });

  it('writes ISO times with microseconds', () => {
    assert.equal(isoMicros(1_700_000_000_123.456), '2023-11-14T22:13:20.123456Z');
    assert.equal(isoMicros(0), '1970-01-01T00:00:00.000000Z');
  });

  it('trims a trace to what the server’s strict schema accepts', () => {
    const r = newTraceRecord({ question: 'q'.repeat(2_000_000) });
    r.fields = { tags: ['a', 'a', '', 'b', ...Array.from({ length: 100 }, (_, i) => `t${i}`)], userId: '', metadata: { k: 1 } };
    r.contexts = Array.from({ length: 300 }, () => 'c');
    r.root = newSpanRecord(r, '', 'llm');
    r.root.usage = { inputTokens: 3.4, outputTokens: -1, model: '' };
    r.root.children = [newSpanRecord(r, 'child', 'tool')];
    r.hasResponse = true;
    r.response = { choices: [{ message: { content: 'from a completion' } }] };
    const body = traceBody(r, 'proj');
    const parsed = traceInputSchema.safeParse(JSON.parse(safeJson(body)!));
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3)));
    assert.equal(body.query.length, 1_000_000);
    assert.equal(body.response, 'from a completion');
    assert.deepEqual(body.tags?.slice(0, 3), ['a', 'b', 't0']);
    assert.equal(body.tags?.length, 50);
    assert.equal(body.user_id, undefined);
    assert.equal(body.contexts?.length, 200);
    assert.equal(body.input_tokens, 3);
    assert.equal(body.output_tokens, undefined);
    assert.equal(body.spans?.[0]?.name, 'span');
    assert.equal(body.spans?.[0]?.spans?.[0]?.name, 'child');
    assert.match(body.id!, UUID7);
  });

  it('survives cycles and BigInt', () => {
    const o: Record<string, unknown> = { n: 1n };
    o.self = o;
    assert.equal(safeJson(o), '{"n":"1","self":"[circular]"}');
  });
});

describe('SDK result observation', () => {
  it('passes values, native promises and rejections through unchanged', async () => {
    const seen: unknown[] = [];
    const ok = (v: unknown) => seen.push(['ok', v]);
    const err = (e: unknown) => seen.push(['err', e]);
    assert.equal(observe(5, ok, err), 5);
    assert.equal(await observe(Promise.resolve(6), ok, err), 6);
    const boom = new Error('x');
    await assert.rejects(observe(Promise.reject(boom), ok, err), (e) => e === boom);
    assert.deepEqual(seen, [['ok', 5], ['ok', 6], ['err', boom]]);
  });

  it('observes a custom thenable only once it is consumed', async () => {
    let thenCalls = 0;
    const thenable = {
      then(res: (v: number) => unknown) {
        thenCalls++;
        return Promise.resolve(7).then(res);
      },
    };
    const seen: unknown[] = [];
    const out = observe(thenable, (v) => seen.push(v), () => {});
    assert.equal(out, thenable);
    assert.equal(thenCalls, 0, 'nothing consumed it yet');
    assert.equal(await out, 7);
    assert.deepEqual(seen, [7]);
  });
});
