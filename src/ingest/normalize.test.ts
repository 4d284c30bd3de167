import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeTrace } from './normalize.js';
import { traceInputSchema } from '../core/schemas/trace.js';

const parse = (v: unknown) => traceInputSchema.parse(v);

describe('normalizeTrace', () => {
  it('derives token_count, status and a time-ordered id', () => {
    const n = normalizeTrace('p', parse({ query: 'q', input_tokens: 10, output_tokens: 5, error: 'boom' }));
    assert.equal(n.trace.token_count, 15);
    assert.equal(n.trace.status, 'error');
    assert.match(n.trace.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('flattens nested spans with parent ids and rejects duplicate span ids', () => {
    const n = normalizeTrace('p', parse({ query: 'q', spans: [{ id: 'a', name: 'a', kind: 'chain', start: 0, spans: [{ id: 'b', name: 'b', kind: 'llm', start: 1 }] }] }));
    assert.deepEqual(n.spans.map((s) => [s.id, s.parent_id]), [['a', null], ['b', 'a']]);
    assert.equal(n.trace.span_count, 2);
    assert.throws(
      () => normalizeTrace('p', parse({ query: 'q', spans: [{ id: 'a', name: 'a', start: 0 }, { id: 'a', name: 'b', start: 0 }] })),
      /spans\.1\.id: duplicates span id "a"/,
    );
  });
});
