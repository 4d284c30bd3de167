import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceWriter, traceKey } from './writer.js';
import { normalizeTrace } from './normalize.js';
import { traceInputSchema } from '../core/schemas/trace.js';
import type { NewTrace } from '../storage/index.js';

const item = (id: string) => normalizeTrace('p', traceInputSchema.parse({ id, query: 'q' }));

describe('TraceWriter (group commit)', () => {
  it('gathers writes that arrive during a commit into one statement and answers each after its commit', async () => {
    const calls: string[][] = [];
    let release: () => void = () => {};
    const repo = {
      insertMany: async (traces: NewTrace[]) => {
        calls.push(traces.map((t) => t.id));
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        return new Set(traces.map((t) => traceKey(t.project_id, t.id)));
      },
    };
    const w = new TraceWriter(repo);
    const first = w.write([item('a')]);
    await new Promise((r) => setImmediate(r));
    let laterDone = false;
    const later = Promise.all([w.write([item('b')]), w.write([item('c'), item('d')])]).then((x) => {
      laterDone = true;
      return x;
    });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(laterDone, false, 'nothing is acknowledged before its commit');
    release();
    await first;
    const [b] = await later;
    assert.ok(b.has(traceKey('p', 'b')));
    assert.deepEqual(calls, [['a'], ['b', 'c', 'd']]);
    await w.flushed();
  });

  it('fails only the caller whose rows the store refused', async () => {
    const repo = {
      insertMany: async (traces: NewTrace[]) => {
        if (traces.some((t) => t.id === 'bad')) throw new Error('constraint');
        return new Set(traces.map((t) => traceKey(t.project_id, t.id)));
      },
    };
    const w = new TraceWriter(repo);
    const results = await Promise.allSettled([w.write([item('ok1')]), w.write([item('bad')]), w.write([item('ok2')])]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('splits work into statements of at most maxBatch rows', async () => {
    const sizes: number[] = [];
    const w = new TraceWriter(
      { insertMany: async (t: NewTrace[]) => (sizes.push(t.length), new Set<string>()) },
      { maxBatch: 3 },
    );
    await Promise.all([w.write([item('1'), item('2')]), w.write([item('3'), item('4')]), w.write([item('5')])]);
    assert.deepEqual(sizes, [2, 3]);
  });
});
