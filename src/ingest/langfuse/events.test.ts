import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvents, type IngestionEvent } from './events.js';
import { flattenUsageDetails, stateToExport } from './state.js';
import { langfuseToTrace, observationUsage } from './to-trace.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const ev = (id: string, type: IngestionEvent['type'], s: number, body: Record<string, unknown>): IngestionEvent => ({ id, type, timestamp: at(s), body });

describe('Langfuse event merge', () => {
  const events = [
    ev('1', 'trace-create', 0, { id: 't', name: 'first', metadata: { a: 1 }, tags: ['x'] }),
    ev('2', 'generation-create', 1, { id: 'g', traceId: 't', name: 'gen', model: 'gpt-4o-mini', startTime: at(1) }),
    ev('3', 'generation-update', 3, { id: 'g', traceId: 't', endTime: at(3), output: 'done', name: 'renamed' }),
    ev('4', 'trace-create', 4, { id: 't', name: 'second', metadata: { b: 2 }, tags: ['y'] }),
  ];

  it('gives the same state whatever order the events arrive in, one request or several', () => {
    const inOrder = applyEvents(undefined, events);
    const reversed = applyEvents(undefined, [...events].reverse());
    const split = applyEvents(applyEvents(JSON.parse(JSON.stringify(applyEvents(undefined, [events[2]!, events[3]!]))), []), [events[0]!, events[1]!]);
    const norm = (f: Record<string, unknown> | undefined) => ({ ...f, tags: [...((f?.tags as string[] | undefined) ?? [])].sort() });
    for (const s of [reversed, split]) {
      assert.deepEqual(norm(s.trace?.fields), norm(inOrder.trace?.fields));
      assert.deepEqual(s.observations.g?.fields, inOrder.observations.g?.fields);
    }
    // The later event wins field by field; metadata merges; tags unite.
    assert.equal(inOrder.trace?.fields.name, 'second');
    assert.deepEqual(inOrder.trace?.fields.metadata, { a: 1, b: 2 });
    assert.deepEqual([...(inOrder.trace?.fields.tags as string[])].sort(), ['x', 'y']);
    assert.equal(inOrder.observations.g?.fields.name, 'renamed');
    assert.equal(inOrder.observations.g?.fields.startTime, at(1));
    assert.equal(inOrder.observations.g?.type, 'GENERATION');
  });

  it('an update alone stands in for its observation until the create comes', () => {
    const s = applyEvents(undefined, [events[2]!]);
    assert.equal(s.observations.g?.fields.startTime, at(3));
    const x = stateToExport('t', s);
    assert.equal(x.observations[0]?.id, 'g');
    assert.equal(langfuseToTrace(x).id, 't');
    const later = applyEvents(s, [events[1]!]);
    assert.equal(later.observations.g?.fields.startTime, at(1), 'the create’s startTime replaces the stand-in');
    assert.equal(later.observations.g?.fields.name, 'renamed', 'an older create does not undo a newer update');
  });
});

describe('Langfuse usage', () => {
  it('reads OpenAI-shaped usageDetails as Langfuse does, with cached and reasoning tokens counted back in', () => {
    const flat = flattenUsageDetails({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 10 } });
    assert.deepEqual(flat, { input: 900, input_cached_tokens: 100, output: 40, output_reasoning_tokens: 10, total: 1050 });
    const u = observationUsage({ id: 'g', startTime: at(0), type: 'GENERATION', usageDetails: flat, input: null, output: null, metadata: null });
    assert.equal(u.input, 1000);
    assert.equal(u.output, 50);
    assert.deepEqual(u.details, { cached_read: 100, reasoning: 10 });
  });

  it('reads the legacy usage object with its costs', () => {
    const s = applyEvents(undefined, [ev('1', 'generation-create', 0, { id: 'g', traceId: 't', model: 'm', usage: { input: 10, output: 5, totalCost: 0.25 } })]);
    const o = stateToExport('t', s).observations[0]!;
    assert.deepEqual(o.usageDetails, { input: 10, output: 5 });
    assert.deepEqual(o.costDetails, { total: 0.25 });
    assert.equal(observationUsage(o).cost, 0.25);
  });
});
