// The gateway's trace recorder on its own: a batch the store refuses as a whole is split until
// only the bad trace is left out, and strings the store cannot take are cleaned on the way in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTraceRecorder } from '../../src/gateway/tracing.js';
import { silentLogger } from '../../src/core/logger.js';

const project = { id: 'p1', slug: 'p' };

describe('gateway trace recorder', () => {
  it('splits a failed batch so that one poisoned trace costs only itself, in a bounded number of writes', async () => {
    const stored: string[] = [];
    let writes = 0;
    const sink = async (_p: typeof project, traces: Array<Record<string, unknown>>) => {
      writes++;
      if (traces.some((t) => t.poison === true)) throw new Error('statement failed');
      stored.push(...traces.map((t) => String(t.id)));
    };
    const rec = createTraceRecorder(sink, { maxPending: 1000, batchSize: 100, flushMs: 5, logger: silentLogger });
    for (let i = 0; i < 40; i++) rec.record(project, { id: `t${i}`, ...(i === 23 ? { poison: true } : {}) });
    await rec.flushed();
    assert.deepEqual(stored.sort(), Array.from({ length: 40 }, (_, i) => `t${i}`).filter((id) => id !== 't23').sort());
    assert.ok(writes <= 1 + 2 * Math.ceil(Math.log2(40)), `${writes} writes`);
    assert.deepEqual(rec.stats(), { pending: 0, dropped: 0 });
  });

  it('hands the store cleaned copies: NUL and unpaired surrogates become U+FFFD, keys too, __proto__ stays data', async () => {
    const got: Array<Record<string, unknown>> = [];
    const rec = createTraceRecorder(async (_p, traces) => void got.push(...traces), { maxPending: 10, batchSize: 1, flushMs: 5, logger: silentLogger });
    const body = JSON.parse('{"id":"x","query":"a\\u0000b","metadata":{"k\\u0000":["\\ud800",{"__proto__":{"deep":"\\udc00z"}}]},"n":1}') as Record<string, unknown>;
    rec.record(project, body);
    await rec.flushed();
    assert.equal(got.length, 1);
    assert.equal(JSON.stringify(got[0]), '{"id":"x","query":"a\ufffdb","metadata":{"k\ufffd":["\ufffd",{"__proto__":{"deep":"\ufffdz"}}]},"n":1}');
    assert.equal(body.query, 'a\u0000b', 'the original (what the upstream got) is untouched');
  });
});
