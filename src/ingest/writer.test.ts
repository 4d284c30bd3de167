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
    assert.ok(b.created.has(traceKey('p', 'b')));
    assert.deepEqual(calls, [['a'], ['b', 'c', 'd']]);
    await w.flushed();
  });

  it('refuses only the rows the store refused, in a few statements, and stores the rest', async () => {
    const calls: string[][] = [];
    const repo = {
      insertMany: async (traces: NewTrace[]) => {
        calls.push(traces.map((t) => t.id));
        // A failure only the database sees (passes every check in the writer), with a SQLSTATE.
        if (traces.some((t) => t.id === 'bad')) throw Object.assign(new Error('value too long'), { code: '22001' });
        return new Set(traces.map((t) => traceKey(t.project_id, t.id)));
      },
    };
    const w = new TraceWriter(repo);
    const gathered = ['ok1', 'ok2', 'ok3', 'bad', 'ok4', 'ok5', 'ok6', 'ok7'];
    const outcomes = await Promise.all(gathered.map((id) => w.write([item(id)])));
    const { created, failed } = outcomes[0]!;
    assert.deepEqual([...failed.keys()], [traceKey('p', 'bad')]);
    assert.equal(failed.get(traceKey('p', 'bad'))!.status, 400);
    assert.match(failed.get(traceKey('p', 'bad'))!.message, /could not be stored: value too long/);
    assert.deepEqual([...created].sort(), gathered.filter((id) => id !== 'bad').map((id) => traceKey('p', id)).sort());
    // 1 group commit + halving 8 rows down to the culprit: far fewer than one statement per caller.
    assert.ok(calls.length <= 1 + 2 * Math.log2(gathered.length), `statements: ${JSON.stringify(calls)}`);
  });

  it('sets rows that break the validation rules aside and retries the rest in one statement', async () => {
    const calls: number[] = [];
    const repo = {
      insertMany: async (traces: NewTrace[]) => {
        calls.push(traces.length);
        if (traces.some((t) => t.query.includes('\u0000'))) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        return new Set(traces.map((t) => traceKey(t.project_id, t.id)));
      },
    };
    const w = new TraceWriter(repo);
    const bad = item('nul');
    bad.trace.query = 'a\u0000b'; // as if validation had been bypassed
    const [one, two, three] = await Promise.all([w.write([item('x')]), w.write([bad]), w.write([item('y')])]);
    assert.deepEqual(calls.slice(1), [2], 'one extra statement for the good rows');
    assert.match(two!.failed.get(traceKey('p', 'nul'))!.message, /stored: query: contains a NUL/);
    assert.ok(one!.created.has(traceKey('p', 'x')) && three!.created.has(traceKey('p', 'y')));
  });

  it('fails every caller at once when the failure is not any row’s fault (no splitting)', async () => {
    let calls = 0;
    const repo = {
      insertMany: async (): Promise<Set<string>> => {
        calls++;
        throw Object.assign(new Error('connection terminated'), { code: '08006' });
      },
    };
    const w = new TraceWriter(repo);
    const results = await Promise.allSettled([w.write([item('a')]), w.write([item('b')]), w.write([item('c')])]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.ok(calls <= 2, `statements: ${calls}`);
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
