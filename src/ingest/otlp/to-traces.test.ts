import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonExport } from './decode-json.js';
import { findText } from './messages.js';
import type { Attributes, OtlpSpan } from './model.js';
import { buildTraces } from './to-traces.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let next = 1;
function span(attributes: Attributes, over: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: TRACE,
    spanId: (next++).toString(16).padStart(16, '0'),
    parentSpanId: undefined,
    name: 'span',
    kind: 1,
    startMs: 1_767_225_600_000 + next,
    endMs: 1_767_225_600_500 + next,
    attributes,
    events: [],
    links: [],
    status: { code: 0, message: '' },
    resource: { 'service.name': 'unit' },
    scope: { name: 'unit-scope', version: '' },
    ...over,
  };
}

describe('OTel spans → Aether traces', () => {
  it('reads OpenInference flattened messages, token counts and cost', () => {
    const llm = span({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'mistral-large',
      'llm.provider': 'mistralai',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'Be brief.',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.contents.0.message_content.type': 'text',
      'llm.input_messages.1.message.contents.0.message_content.text': 'How tall is Mont Blanc?',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': '4,806 m.',
      'llm.token_count.prompt': 12,
      'llm.token_count.completion': 4,
      'llm.cost.prompt': 0.001,
      'llm.cost.completion': 0.002,
    });
    const { traces, rejected } = buildTraces([llm]);
    assert.deepEqual(rejected, []);
    const b = traces[0]!.body;
    assert.equal(b.query, 'How tall is Mont Blanc?');
    assert.equal(b.response, '4,806 m.');
    assert.deepEqual([b.model, b.provider, b.input_tokens, b.output_tokens, b.cost_usd], ['mistral-large', 'mistralai', 12, 4, 0.003]);
    assert.equal(traces[0]!.hasRoot, true);
  });

  it('finds the question inside JSON input values and structured GenAI retrieval documents', () => {
    const root = span({ 'input.value': JSON.stringify({ question: 'Who wrote Dune?', top_k: 3 }), 'input.mime_type': 'application/json' });
    const ret = span({ 'gen_ai.operation.name': 'retrieval', 'gen_ai.retrieval.documents': JSON.stringify([{ id: 'd1', score: 0.8, content: 'Dune is a novel by Frank Herbert.' }, { id: 'd2', score: 0.4 }]) }, { parentSpanId: root.spanId });
    const emb = span({ 'embedding.model_name': 'text-embedding-3-small' }, { parentSpanId: ret.spanId });
    const b = buildTraces([emb, ret, root]).traces[0]!.body as { query: string; contexts: unknown[]; spans: Array<{ kind: string; input?: unknown; attributes: Record<string, unknown> }> };
    assert.equal(b.query, 'Who wrote Dune?');
    assert.deepEqual(b.contexts, [{ text: 'Dune is a novel by Frank Herbert.', source: 'd1', score: 0.8 }]);
    assert.deepEqual(b.spans.map((s) => s.kind), ['other', 'retrieval', 'embedding']);
    assert.equal(b.spans[0]!.attributes['input.value'], undefined, 'moved to input');
    assert.equal(b.spans[0]!.attributes['input.mime_type'], 'application/json');
  });

  it('rejects repeated span ids and spans beyond the per-trace limit, keeping the rest', () => {
    const a = span({});
    const many = Array.from({ length: 1001 }, (_v, i) => span({}, { spanId: (0x100000 + i).toString(16).padStart(16, '0') }));
    const { traces, rejected } = buildTraces([a, { ...a }, ...many]);
    assert.equal(traces[0]!.spanCount, 1000);
    assert.deepEqual(rejected.map((r) => r.count), [1, 2]);
  });

  it('decodes OTLP/JSON with snake_case names, string enums and base64 ids', async () => {
    const d = await decodeJsonExport({
      resource_spans: [{
        scope_spans: [{
          spans: [{
            trace_id: Buffer.from(TRACE, 'hex').toString('base64'),
            span_id: 'AAAAAAAAAAE=',
            name: 'x',
            kind: 'SPAN_KIND_CLIENT',
            start_time_unix_nano: 1_767_225_600_000_000_000,
            status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
            attributes: [{ key: 'n', value: { int_value: '9007199254740993' } }, { key: 'l', value: { array_value: { values: [{ bool_value: true }] } } }],
          }],
        }],
      }],
    });
    assert.deepEqual(d.rejected, []);
    const s = d.spans[0]!;
    assert.deepEqual([s.traceId, s.spanId, s.kind, s.status.code], [TRACE, '0000000000000001', 3, 2]);
    assert.deepEqual(s.attributes, { n: '9007199254740993', l: [true] });
  });

  it('finds questions and answers in the shapes frameworks record', () => {
    assert.equal(findText('"{\\"prompt\\":\\"Hi there\\"}"', 'query'), 'Hi there');
    assert.equal(findText({ messages: [{ type: 'human', content: 'a' }, { type: 'ai', content: 'b' }, { type: 'human', content: 'c' }] }, 'query'), 'c');
    assert.equal(findText({ contents: [{ role: 'user', parts: [{ text: 'Gemini?' }] }] }, 'query'), 'Gemini?');
    assert.equal(findText({ choices: [{ message: { role: 'assistant', content: 'Yes.' } }] }, 'response'), 'Yes.');
    assert.equal(findText({ unrelated: 1 }, 'query'), undefined);
  });
});
