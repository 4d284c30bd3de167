// Pure pieces of the gateway against the recorded fixtures: the SSE parser, Anthropic ⇄ OpenAI
// translation (requests, responses, streams), backoff, and cache keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse, retryDelay, cacheKey } from '../../src/gateway/index.js';
import { AnthropicChunker } from '../../src/gateway/anthropic/stream-in.js';
import { AnthropicEventWriter } from '../../src/gateway/anthropic/stream-out.js';
import { fromAnthropicRequest, toAnthropicRequest } from '../../src/gateway/anthropic/request.js';
import { toAnthropicMessage, toOpenAICompletion } from '../../src/gateway/anthropic/response.js';
import type { AnthropicEvent, AnthropicResponse } from '../../src/gateway/anthropic/types.js';
import { ChunkAccumulator, completionChunks } from '../../src/gateway/assemble.js';
import type { ChatChunk, ChatRequest } from '../../src/gateway/types.js';
import { ANTHROPIC, OPENAI, anthropicMessage, openAICompletion, records } from './helpers/fixtures.js';

async function* bytes(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(text: string, size: number) {
  const out = [];
  for await (const e of parseSse(bytes(text, size))) out.push(e);
  return out;
}

const anthropicEvents = (path: string) => records(path).map((r) => JSON.parse(r.slice(r.indexOf('data:') + 5)) as AnthropicEvent);

describe('SSE parser', () => {
  it('yields the same events however the bytes are split (every OpenAI fixture, down to 1 byte)', async () => {
    for (const f of Object.values(OPENAI)) {
      const text = records(f).join('');
      const whole = await collect(text, text.length);
      assert.ok(whole.length > 3);
      assert.equal(whole[whole.length - 1]!.data, '[DONE]');
      for (const size of [1, 7, 64]) assert.deepEqual(await collect(text, size), whole, `${f} split every ${size} bytes`);
    }
  });

  it('reads event names, CRLF, multi-line data, and skips comments like OpenRouter keep-alives', async () => {
    const text = ': OPENROUTER PROCESSING\r\n\r\nevent: ping\r\ndata: {"a":1}\r\n\r\ndata: line1\ndata: line2\n\n:comment\n\ndata: é\n\n';
    for (const size of [1, 3, text.length]) {
      assert.deepEqual(await collect(text, size), [
        { event: 'ping', data: '{"a":1}' },
        { event: undefined, data: 'line1\nline2' },
        { event: undefined, data: 'é' },
      ]);
    }
  });
});

describe('Anthropic ⇄ OpenAI', () => {
  it('turns each recorded Anthropic stream into OpenAI chunks that add up to the same answer', () => {
    for (const f of [ANTHROPIC.text, ANTHROPIC.tools]) {
      const msg = anthropicMessage(f);
      const chunker = new AnthropicChunker('m', 'anthropic/m');
      const acc = new ChunkAccumulator();
      for (const e of anthropicEvents(f)) for (const c of chunker.push(e)) acc.add(c);
      const c = acc.completion();
      assert.deepEqual(toAnthropicMessage(c).content, msg.content, f);
      assert.equal(c.usage?.completion_tokens, msg.usage.output_tokens);
      assert.equal(c.id, msg.id);
    }
  });

  it('drops thinking, maps a refusal to content_filter, and takes the final input count from message_delta', () => {
    const chunker = new AnthropicChunker('m', 'anthropic/m');
    const acc = new ChunkAccumulator();
    for (const e of anthropicEvents(ANTHROPIC.refusal)) for (const c of chunker.push(e)) acc.add(c);
    assert.equal(acc.text, 'Hi');
    assert.equal(acc.finish, 'content_filter');
    assert.equal(acc.usage?.prompt_tokens, 28);
    assert.equal(acc.usage?.completion_tokens, 106);
  });

  it('writes OpenAI chunks as an Anthropic event stream that reads back to the same message', () => {
    const completion = openAICompletion(OPENAI.tools) as unknown as Parameters<typeof completionChunks>[0];
    const w = new AnthropicEventWriter('msg_1', 'gpt-4o', 44);
    let sse = '';
    for (const c of completionChunks(completion)) sse += w.chunk(c);
    sse += w.end();
    const events = sse.trim().split('\n\n').map((r) => JSON.parse(r.split('\n')[1]!.slice(6)) as AnthropicEvent);
    assert.deepEqual(events.map((e) => e.type), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const chunker = new AnthropicChunker('m', 'x');
    const acc = new ChunkAccumulator();
    for (const e of events) for (const c of chunker.push(e)) acc.add(c);
    const back = acc.completion();
    assert.deepEqual(back.choices[0]!.message.tool_calls?.map((t) => t.function), (completion.choices[0]!.message.tool_calls ?? []).map((t) => ({ ...t.function, arguments: JSON.stringify(JSON.parse(t.function.arguments)) })));
    assert.equal(back.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(back.usage?.prompt_tokens, 44);
  });

  it('translates requests both ways: system, images, tool calls and results, tool choice, stop, sampling', () => {
    const req: ChatRequest = {
      model: 'x',
      max_tokens: 50,
      temperature: 1.5,
      stop: 'END',
      user: 'u1',
      parallel_tool_calls: false,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'Sunny' },
        { role: 'user', content: 'Thanks' },
      ],
    };
    const a = toAnthropicRequest(req, 'claude-x');
    assert.equal(a.system, 'Be brief.');
    assert.equal(a.temperature, 1);
    assert.deepEqual(a.stop_sequences, ['END']);
    assert.deepEqual(a.metadata, { user_id: 'u1' });
    assert.deepEqual(a.tool_choice, { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
    assert.deepEqual(a.messages[0], { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] });
    assert.deepEqual(a.messages[1], { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } }] });
    assert.deepEqual(a.messages[2], { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'Sunny' }, { type: 'text', text: 'Thanks' }] });
    const back = fromAnthropicRequest(a);
    assert.deepEqual(back.messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'user']);
    assert.deepEqual(back.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(back.parallel_tool_calls, false);
    assert.deepEqual(back.messages[2]!.tool_calls, req.messages[2]!.tool_calls);
    assert.throws(() => toAnthropicRequest({ ...req, n: 2 }, 'claude-x'), /n > 1/);
  });

  it('maps a whole Anthropic message to a completion and back', () => {
    const msg = anthropicMessage(ANTHROPIC.tools) as unknown as AnthropicResponse;
    const c = toOpenAICompletion(msg);
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(c.choices[0]!.message.content, "I'll check the current weather in Paris for you.");
    assert.equal(c.usage?.prompt_tokens, 377);
    const again = toAnthropicMessage(c);
    assert.deepEqual(again.content, msg.content);
    assert.equal(again.stop_reason, 'tool_use');
  });
});

describe('retry delay and cache keys', () => {
  const p = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  it('uses full jitter under an exponential cap, and Retry-After when given and not too long', () => {
    assert.equal(retryDelay(p, 0, undefined, () => 0.999), 99);
    assert.equal(retryDelay(p, 3, undefined, () => 0.5), 400);
    assert.equal(retryDelay(p, 10, undefined, () => 0.999), 999);
    assert.equal(retryDelay(p, 0, undefined, () => 0), 0);
    assert.equal(retryDelay(p, 0, 2000), 2000);
    assert.equal(retryDelay(p, 0, 6000), undefined);
  });

  it('keys on the project and the request, not on key order or answer-neutral fields', () => {
    const a = { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0 };
    const b = { temperature: 0, stream: true, user: 'u', messages: [{ content: 'x', role: 'user' }], model: 'm' };
    assert.equal(cacheKey('p', 'chat', a), cacheKey('p', 'chat', b));
    assert.notEqual(cacheKey('p', 'chat', a), cacheKey('q', 'chat', a));
    assert.notEqual(cacheKey('p', 'chat', a), cacheKey('p', 'chat', { ...a, temperature: 1 }));
  });

  it('replays a completion as chunks that accumulate back to it', () => {
    const c = openAICompletion(OPENAI.long) as unknown as Parameters<typeof completionChunks>[0];
    const acc = new ChunkAccumulator();
    for (const chunk of completionChunks(c) as ChatChunk[]) acc.add(chunk);
    assert.equal(acc.completion().choices[0]!.message.content, c.choices[0]!.message.content);
    assert.deepEqual(acc.usage, c.usage);
  });
});
