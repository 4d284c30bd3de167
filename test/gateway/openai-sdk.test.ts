// The official openai client, pointed at Aether, against mock upstreams that replay the recorded
// OpenAI, Anthropic and OpenRouter wire formats: chat, streams, tools, embeddings, errors, traces.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGatewayApp, type GatewayTestApp } from './helpers/app.js';
import { OPENAI, anthropicMessage, ANTHROPIC, openAIContent } from './helpers/fixtures.js';
import { embeddingOf } from './helpers/upstream.js';

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('gateway through the openai SDK', () => {
  let g: GatewayTestApp;
  let client: OpenAI;

  before(async () => {
    g = await startGatewayApp({ aliases: { fast: 'openai/gpt-4o-mini' } });
    client = new OpenAI({ apiKey: g.t.key, baseURL: `${g.base}/v1`, maxRetries: 0 });
  });
  after(async () => g?.close());
  beforeEach(() => g.upstream.reset());

  it('completes a chat against OpenAI, with cost and a trace', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say Foo' }] }, { headers: { 'x-aether-user-id': 'u-1', 'x-aether-tags': 'demo, rag', 'x-aether-session-id': 's-1' } })
      .withResponse();
    const want = openAIContent(OPENAI.text);
    assert.equal(data.choices[0]!.message.content, want.text);
    assert.equal(data.usage?.prompt_tokens, want.usage.prompt_tokens);
    const cost = Number(response.headers.get('x-aether-cost-usd'));
    assert.ok(cost > 0, 'priced from the table');
    assert.equal(response.headers.get('x-aether-provider'), 'openai');
    const call = g.upstream.calls[0]!;
    assert.equal(call.path, '/v1/chat/completions');
    assert.equal(call.headers.authorization, 'Bearer sk-test-openai');
    assert.equal(call.body.model, 'gpt-4o-mini');
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.equal(trace.query, 'Say Foo');
    assert.equal(trace.response, want.text);
    assert.equal(trace.model, 'gpt-4o-mini');
    assert.equal(trace.provider, 'openai');
    assert.equal(trace.cost_usd, cost);
    assert.equal(trace.user_id, 'u-1');
    assert.equal(trace.session_id, 's-1');
    assert.deepEqual(trace.tags, ['demo', 'rag']);
    assert.equal(trace.input_tokens, want.usage.prompt_tokens);
    assert.equal(trace.spans.length, 1);
    assert.equal(trace.spans[0]!.kind, 'llm');
  });

  it('streams the recorded chunks in order and asks upstream for usage', async () => {
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Say Foo' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    const want = openAIContent(OPENAI.text);
    assert.equal(text, want.text);
    assert.equal(usage?.total_tokens, want.usage.total_tokens);
    assert.deepEqual(g.upstream.calls[0]!.body.stream_options, { include_usage: true });
  });

  it('strips the usage chunk for clients that did not ask, and counts tokens when upstream sends none', async () => {
    g.upstream.script.push({ kind: 'no-usage' });
    const { data: stream, response } = await client.chat.completions.create({ model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'Say Foo' }] }).withResponse();
    let sawUsage = false;
    for await (const chunk of stream) if (chunk.usage) sawUsage = true;
    assert.equal(sawUsage, false);
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.ok((trace.output_tokens as number) > 0, 'counted with the bundled tokenizer');
    assert.equal(trace.metadata.usage_estimated, true);
    assert.ok((trace.metadata.ttft_ms as number) >= 0);
  });

  it('relays tool calls, streamed and not', async () => {
    const want = openAIContent(OPENAI.tools);
    const full = await client.chat.completions.create({ model: 'openai/gpt-4o', tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in SF?' }] });
    const call = full.choices[0]!.message.tool_calls![0]! as { function: { name: string; arguments: string } };
    assert.equal(call.function.name, want.toolName);
    assert.equal(call.function.arguments, want.toolArgs);
    assert.equal(full.choices[0]!.finish_reason, 'tool_calls');
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', tools: [weatherTool], stream: true, messages: [{ role: 'user', content: 'Weather in SF?' }] });
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(args, want.toolArgs);
    assert.equal(finish, 'tool_calls');
  });

  it('translates to and from Anthropic Messages (system, tools, stop reasons, usage, streams)', async () => {
    const msg = anthropicMessage(ANTHROPIC.text);
    const r = await client.chat.completions.create({
      model: 'anthropic/claude-haiku-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    assert.equal(r.choices[0]!.message.content, 'Hello there!');
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.usage?.completion_tokens, msg.usage.output_tokens);
    const sent = g.upstream.calls[0]!;
    assert.equal(sent.path, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], 'sk-ant-test');
    assert.equal(sent.body.system, 'Be brief.');
    assert.equal(sent.body.max_tokens, 4096);
    assert.deepEqual(sent.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);

    const stream = await client.chat.completions.create({ model: 'claude-haiku-4-5', tools: [weatherTool], stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    let text = '';
    let args = '';
    let name = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      name += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.name ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, "I'll check the current weather in Paris for you.");
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { location: 'Paris' });
    assert.equal(finish, 'tool_calls');
    assert.equal(usage?.prompt_tokens, 377);
    assert.equal(usage?.completion_tokens, 65);
    const tools = g.upstream.calls[1]!.body.tools as Array<{ name: string; input_schema: unknown }>;
    assert.equal(tools[0]!.name, 'get_weather');
    assert.deepEqual(tools[0]!.input_schema, weatherTool.function.parameters);
  });

  it('serves OpenRouter: skips its keep-alive comments and takes usage.cost as the cost', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: 'openrouter/openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'Say Foo' }] }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Foo!');
    assert.equal(g.upstream.calls[0]!.path, '/api/v1/chat/completions');
    assert.equal(g.upstream.calls[0]!.body.model, 'openai/gpt-4o');
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.equal(trace.cost_usd, 0.00042);
    const { response: r2 } = await client.chat.completions.create({ model: 'openrouter/openai/gpt-4o', messages: [{ role: 'user', content: 'Say Foo' }] }).withResponse();
    assert.equal(r2.headers.get('x-aether-cost-usd'), '0.00042');
  });

  it('attaches RAG contexts (JSON or base64) and a caller-chosen trace id from the headers', async () => {
    const contexts = [{ text: 'Paris is the capital of France.', source: 'doc-1', score: 0.9 }];
    const { response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] }, { headers: { 'x-aether-contexts': JSON.stringify(contexts), 'x-aether-trace-id': 'my-trace-1' } })
      .withResponse();
    assert.equal(response.headers.get('x-aether-trace-id'), 'my-trace-1');
    assert.deepEqual((await g.trace('my-trace-1')).contexts, contexts);
    const b64 = Buffer.from(JSON.stringify(contexts)).toString('base64');
    const { response: r2 } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Again?' }] }, { headers: { 'x-aether-contexts': b64 } }).withResponse();
    assert.deepEqual((await g.trace(r2.headers.get('x-aether-trace-id')!)).contexts, contexts);
    await assert.rejects(
      client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-aether-contexts': '[{"source": "no text"}]' } }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && /x-aether-contexts/.test(e.message),
    );
  });

  it('creates embeddings (traced with their cost) and lists models', async () => {
    const { data: e, response } = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['hello', 'world'] }).withResponse();
    assert.equal(e.data.length, 2);
    assert.equal(e.usage.prompt_tokens, 16);
    assert.equal(g.upstream.calls[0]!.body.model, 'text-embedding-3-small');
    const trace = await g.trace(response.headers.get('x-aether-trace-id')!);
    assert.equal(trace.input_tokens, 16);
    assert.ok((trace.cost_usd as number) > 0);
    assert.equal(trace.spans[0]!.kind, 'embedding');
    const models = await client.models.list();
    assert.ok(models.data.some((m) => m.id === 'fast'));
  });

  it('answers embeddings in the encoding the SDK asked for, whatever the upstream sent', async () => {
    const close = (got: ArrayLike<number>, want: number[]) => {
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-6, `${got[i]} ≈ ${want[i]}`);
    };
    // The SDK's default asks for base64 and decodes it: an upstream that honours it passes through…
    const passed = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['hello', 'hi'] });
    assert.equal(g.upstream.calls[0]!.body.encoding_format, 'base64');
    close(passed.data[0]!.embedding, embeddingOf('hello'));
    close(passed.data[1]!.embedding, embeddingOf('hi'));
    // …and floats from one that ignores it are encoded by the gateway, not decoded to zeros.
    g.upstream.script.push({ kind: 'floats-only' });
    const encoded = await client.embeddings.create({ model: 'openai/text-embedding-3-large', input: 'hello there' });
    close(encoded.data[0]!.embedding, embeddingOf('hello there'));
    // An explicit format is answered as asked, from either kind of upstream.
    const floats = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'hello', encoding_format: 'float' });
    assert.deepEqual(floats.data[0]!.embedding, embeddingOf('hello'));
    const raw = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'hello', encoding_format: 'base64' });
    const bytes = Buffer.from(raw.data[0]!.embedding as unknown as string, 'base64');
    close(Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)), embeddingOf('hello'));
    // The built-in mock answers floats too.
    const mockFloats = await client.embeddings.create({ model: 'mock/embed', input: 'hello', encoding_format: 'float' });
    const mockDefault = await client.embeddings.create({ model: 'mock/embed', input: 'hello' });
    assert.ok(mockFloats.data[0]!.embedding.some((x) => x !== 0));
    close(mockDefault.data[0]!.embedding, mockFloats.data[0]!.embedding);
  });

  it('reports errors in the OpenAI format the SDK parses', async () => {
    const bad = new OpenAI({ apiKey: 'ae_nope', baseURL: `${g.base}/v1`, maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'mock/x', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
    await assert.rejects(client.chat.completions.create({ model: 'nope-model', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError && /Unknown model "nope-model"/.test(e.message));
    await assert.rejects(client.chat.completions.create({ model: 'mock/x', messages: [] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /messages/.test(e.message));
    g.upstream.script.push({ kind: 'status', status: 400, message: "Invalid 'temperature'" });
    await assert.rejects(client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /Invalid 'temperature'/.test(e.message));
    g.upstream.script.push({ kind: 'midstream-error', after: 2 });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    await assert.rejects(
      (async () => {
        for await (const _ of stream) void _;
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && /mid-stream/.test(e.message),
    );
  });
});
