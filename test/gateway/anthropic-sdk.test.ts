// The official @anthropic-ai/sdk, pointed at Aether's /v1/messages (x-api-key auth), served by an
// Anthropic upstream (recorded streams replayed) and by an OpenAI upstream through translation.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';
import { ANTHROPIC, OPENAI, anthropicMessage, openAIContent } from './helpers/fixtures.js';

const weather = { name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object' as const, properties: { location: { type: 'string' } } } };

describe('gateway through the @anthropic-ai/sdk', () => {
  let g: GatewayTestApp;
  let client: Anthropic;

  before(async () => {
    g = await startGatewayApp({ aliases: { smart: 'anthropic/claude-opus-4-8' } });
    client = new Anthropic({ apiKey: g.t.key, baseURL: g.base, maxRetries: 0 });
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  it('creates a message against Anthropic', async () => {
    const want = anthropicMessage(ANTHROPIC.text);
    const m = await client.messages.create({ model: 'smart', max_tokens: 256, system: 'Be kind.', messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(m.type, 'message');
    assert.deepEqual(m.content, [{ type: 'text', text: 'Hello there!' }]);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.output_tokens, want.usage.output_tokens);
    assert.equal(g.upstream.calls[0]!.body.system, 'Be kind.');
    assert.equal(g.upstream.calls[0]!.body.model, 'claude-opus-4-8');
  });

  it('streams text and tool use as Anthropic events', async () => {
    const stream = client.messages.stream({ model: 'anthropic/claude-opus-4-8', max_tokens: 256, tools: [weather], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    assert.equal(text, "I'll check the current weather in Paris for you.");
    const tool = final.content.find((b) => b.type === 'tool_use');
    assert.ok(tool && tool.type === 'tool_use');
    assert.equal(tool.name, 'get_weather');
    assert.deepEqual(tool.input, { location: 'Paris' });
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(final.usage.output_tokens, 65);
    assert.equal(final.usage.input_tokens, 377);
  });

  it('serves an OpenAI model in Anthropic format, tool results included', async () => {
    const m = await client.messages.create({
      model: 'openai/gpt-4o',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Weather in SF?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'SF' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' }] },
      ],
    });
    assert.deepEqual(m.content, [{ type: 'text', text: openAIContent(OPENAI.text).text }]);
    const sent = g.upstream.calls[0]!.body.messages as Array<Record<string, unknown>>;
    assert.deepEqual(sent[1], { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"SF"}' } }] });
    assert.deepEqual(sent[2], { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' });

    const stream = client.messages.stream({ model: 'openai/gpt-4o', max_tokens: 100, tools: [weather], messages: [{ role: 'user', content: 'Weather in SF?' }] });
    const final = await stream.finalMessage();
    const want = openAIContent(OPENAI.tools);
    const tool = final.content.find((b) => b.type === 'tool_use');
    assert.ok(tool && tool.type === 'tool_use');
    assert.equal(tool.name, want.toolName);
    assert.deepEqual(tool.input, JSON.parse(want.toolArgs!));
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(final.usage.output_tokens, want.usage.completion_tokens);
  });

  it('reports errors in the Anthropic format', async () => {
    const bad = new Anthropic({ apiKey: 'ae_wrong', baseURL: g.base, maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof Anthropic.AuthenticationError);
    const r = await fetch(`${g.base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': g.t.key, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'smart', messages: [] }) });
    assert.equal(r.status, 400);
    const body = (await r.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /max_tokens/);
    g.upstream.script.push({ kind: 'midstream-error', after: 4 });
    const stream = client.messages.stream({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    await assert.rejects(stream.finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && /Overloaded/.test(e.message));
  });
});
