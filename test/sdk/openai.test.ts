// instrumentOpenAI against a local /v1/chat/completions replaying recorded OpenAI streams, with
// traces landing in a real Aether server. Uses the real `openai` package when it is installed, and
// always a client of the same shape (test/sdk/helpers/openai-mock.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AetherClient, instrumentOpenAI } from '../../sdk/src/index.js';
import { FakeOpenAI, sseEvents, startOpenAIMock, streamFixtures, type OpenAIMock } from './helpers/openai-mock.js';
import { startSdkServer, type SdkServer, type StoredTrace } from './helpers/server.js';

interface ChatCreate {
  (params: Record<string, unknown>): PromiseLike<unknown> & { asResponse?: () => Promise<Response> };
}
interface ChatClient {
  chat: { completions: { create: ChatCreate } };
}
type ClientCtor = new (o: { apiKey: string; baseURL: string; maxRetries?: number }) => ChatClient;

async function realOpenAI(): Promise<ClientCtor | undefined> {
  const name = 'openai'; // not a literal, so the type check does not need the package installed
  try {
    return ((await import(name)) as { default: ClientCtor }).default;
  } catch {
    return undefined;
  }
}

const impls: Array<{ label: string; ctor: ClientCtor }> = [{ label: 'openai-shaped client', ctor: FakeOpenAI as unknown as ClientCtor }];
const real = await realOpenAI();
if (real) impls.push({ label: 'openai package', ctor: real });
else console.log('# the openai package is not installed: instrumentOpenAI is tested with an openai-shaped client only');

/** What a recorded stream says: its text (or refusal) and usage, computed independently of the SDK. */
function expected(sse: string): { text: string; input?: number; output?: number } {
  let text = '';
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  type Chunk = { choices: Array<{ delta?: { content?: string | null; refusal?: string | null } }>; usage?: typeof usage };
  for (const e of sseEvents(sse) as Chunk[]) {
    const d = e.choices[0]?.delta;
    text += d?.content ?? d?.refusal ?? '';
    usage = e.usage ?? usage;
  }
  return { text, input: usage?.prompt_tokens, output: usage?.completion_tokens };
}

for (const impl of impls) {
  describe(`instrumentOpenAI: ${impl.label}`, () => {
    let s: SdkServer;
    let mock: OpenAIMock;
    let aether: AetherClient;
    let openai: ChatClient;
    const latest = async (n = 1): Promise<Array<StoredTrace & { spans: NonNullable<StoredTrace['spans']> }>> => {
      await aether.flush();
      const r = await fetch(`${s.url}/api/v1/traces?limit=${n}&sort=-timestamp`, { headers: { 'x-api-key': s.key } });
      const ids = ((await r.json()) as { data: Array<{ id: string }> }).data.map((t) => t.id);
      return Promise.all(ids.map(async (id) => (await s.get(id))!));
    };

    before(async () => {
      [s, mock] = await Promise.all([startSdkServer(), startOpenAIMock()]);
      aether = new AetherClient({ apiKey: s.key, baseUrl: s.url, flushIntervalMs: 50 });
      openai = instrumentOpenAI(new impl.ctor({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 }), { aether, tags: ['openai'] });
    });
    after(async () => {
      await aether?.shutdown();
      await mock?.close();
      await s?.close();
    });

    it('records a completion: last user message, response, model, usage, messages and latency', async () => {
      const messages = [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'What is the capital of France?' },
      ];
      const c = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2 })) as {
        choices: Array<{ message: { content: string } }>;
      };
      assert.equal(c.choices[0]?.message.content, 'Echo: What is the capital of France?');
      const [t] = await latest();
      assert.ok(t);
      assert.equal(t.query, 'What is the capital of France?');
      assert.equal(t.response, 'Echo: What is the capital of France?');
      assert.equal(t.model, 'gpt-4o-mini-2024-07-18', 'the model that answered, not the one asked for');
      assert.equal(t.provider, 'openai');
      assert.equal(t.input_tokens, 21);
      assert.equal(t.output_tokens, 5);
      assert.deepEqual(t.tags, ['openai']);
      assert.ok(t.latency_ms !== null && t.latency_ms > 0);
      assert.equal(t.spans.length, 1);
      const span = t.spans[0]!;
      assert.equal(span.kind, 'llm');
      assert.deepEqual(span.input, messages);
      assert.equal(span.attributes['request.temperature'], 0.2);
      assert.equal(span.attributes['response.finish_reason'], 'stop');
    });

    it('records every recorded stream when it ends, with its text and usage', async () => {
      const fixtures = streamFixtures();
      for (const [hash, sse] of fixtures) {
        const stream = (await openai.chat.completions.create({
          model: `fixture:${hash}`,
          stream: true,
          messages: [{ role: 'user', content: `stream ${hash}` }],
        })) as AsyncIterable<{ choices: unknown[] }>;
        let chunks = 0;
        for await (const _ of stream) chunks++;
        assert.equal(chunks, sseEvents(sse).length);
      }
      const traces = await latest(fixtures.size);
      assert.equal(traces.length, fixtures.size);
      for (const t of traces) {
        const hash = t.query.replace('stream ', '');
        const want = expected(fixtures.get(hash)!);
        if (want.text) assert.equal(t.response, want.text, hash);
        else assert.ok(t.response?.startsWith('[{'), `${hash}: tool calls recorded as the response`);
        assert.equal(t.input_tokens, want.input, hash);
        assert.equal(t.output_tokens, want.output, hash);
        assert.equal(t.model, 'gpt-4o-2024-08-06');
        assert.ok(typeof t.spans[0]?.attributes['response.time_to_first_token_ms'] === 'number');
      }
    });

    it('records a stream the caller abandons, with the text read so far', async () => {
      const stream = (await openai.chat.completions.create({
        model: 'fixture:d61558011839',
        stream: true,
        messages: [{ role: 'user', content: 'abandoned' }],
      })) as AsyncIterable<{ choices: Array<{ delta: { content?: string } }> }>;
      let text = '';
      let n = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (++n === 5) break;
      }
      const [t] = await latest();
      assert.equal(t?.query, 'abandoned');
      assert.equal(t?.response, text);
      assert.equal(t?.status, 'success');
    });

    it('records a failed call as an error and gives the caller the original error', async () => {
      let thrown: unknown;
      try {
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'please FAIL' }] });
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof Error);
      assert.equal((thrown as { status?: number }).status, 400);
      const [t] = await latest();
      assert.equal(t?.query, 'please FAIL');
      assert.equal(t?.status, 'error');
      assert.match(t?.error ?? '', /Invalid value for messages/);
    });

    it('asks streams for usage when streamUsage is set and stream_options is not', async () => {
      const plain = new impl.ctor({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
      const again = instrumentOpenAI(instrumentOpenAI(plain, { aether, streamUsage: true }), { aether });
      const stream = (await again.chat.completions.create({
        model: 'fixture:83b060bae42e',
        stream: true,
        messages: [{ role: 'user', content: 'usage please' }],
      })) as AsyncIterable<unknown>;
      for await (const _ of stream) {
        // drain
      }
      assert.deepEqual(mock.requests.at(-1)?.stream_options, { include_usage: true });
      const traces = await latest(2);
      assert.equal(traces.filter((t) => t.query === 'usage please').length, 1, 'instrumenting twice records once');
    });

    it('leaves a raw-response call alone', async () => {
      const p = openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'raw' }] });
      if (!p.asResponse) return;
      const res = await p.asResponse();
      const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
      assert.equal(body.choices[0]?.message.content, 'Echo: raw');
    });
  });
}
