// One conformance suite run against every provider that talks to an upstream, each against a mock
// replaying its recorded wire format: answers, streams, tool calls, and failure classification.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { providers, type Provider, UpstreamError } from '../../src/gateway/index.js';
import { createHttpClient } from '../../src/gateway/http.js';
import type { ChatRequest } from '../../src/gateway/types.js';
import { ANTHROPIC, OPENAI, anthropicMessage, openAIContent } from './helpers/fixtures.js';
import { startUpstream, type Upstream } from './helpers/upstream.js';

interface Case {
  name: string;
  provider: Provider;
  base: (u: Upstream) => string;
  /** What the replayed fixtures say: text of the plain answer, tool name/args, usage. */
  text: string;
  tool: { name: string; args: unknown };
  usage: { prompt: number; completion: number };
}

const openaiText = openAIContent(OPENAI.text);
const openaiTools = openAIContent(OPENAI.tools);
const anthropicText = anthropicMessage(ANTHROPIC.text);
const openaiCase = (name: string, provider: Provider, base: (u: Upstream) => string): Case => ({
  name,
  provider,
  base,
  text: openaiText.text,
  tool: { name: openaiTools.toolName!, args: JSON.parse(openaiTools.toolArgs!) },
  usage: { prompt: openaiText.usage.prompt_tokens!, completion: openaiText.usage.completion_tokens! },
});

const cases: Case[] = [
  openaiCase('openai', providers.openai, (u) => `${u.url}/v1`),
  openaiCase('openai-compatible', providers['openai-compatible'], (u) => `${u.url}/v1`),
  openaiCase('openrouter', providers.openrouter, (u) => `${u.url}/api/v1`),
  {
    name: 'anthropic',
    provider: providers.anthropic,
    base: (u) => u.url,
    text: 'Hello there!',
    tool: { name: 'get_weather', args: { location: 'Paris' } },
    usage: { prompt: anthropicText.usage.input_tokens!, completion: anthropicText.usage.output_tokens! },
  },
];

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });
const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];

describe('provider conformance', () => {
  let u: Upstream;
  const http = createHttpClient();
  before(async () => {
    u = await startUpstream();
  });
  after(async () => {
    http.close();
    await u?.close();
  });
  beforeEach(() => u.reset());

  for (const c of cases) {
    describe(c.name, () => {
      const ctx = () => ({ target: { label: `${c.name}/m`, baseUrl: c.base(u), apiKey: 'k', headers: {}, model: 'model-x' }, http, signal: new AbortController().signal });
      const collect = async (req: ChatRequest) => {
        let text = '';
        let args = '';
        let name = '';
        let finish: string | null = null;
        let usage;
        for await (const ev of await c.provider.stream(req, ctx())) {
          const ch = ev.chunk.choices[0];
          text += ch?.delta.content ?? '';
          name += ch?.delta.tool_calls?.[0]?.function?.name ?? '';
          args += ch?.delta.tool_calls?.[0]?.function?.arguments ?? '';
          finish = ch?.finish_reason ?? finish;
          if (ev.chunk.usage) usage = ev.chunk.usage;
        }
        return { text, args, name, finish, usage };
      };

      it('answers a chat in the OpenAI shape, with usage', async () => {
        const r = await c.provider.chat(request(), ctx());
        assert.equal(r.completion.choices[0]!.message.content, c.text);
        assert.equal(r.completion.choices[0]!.finish_reason, 'stop');
        assert.equal(r.completion.usage?.prompt_tokens, c.usage.prompt);
        assert.equal(r.completion.usage?.completion_tokens, c.usage.completion);
        assert.equal(u.calls[0]!.body.model, 'model-x');
      });

      it('streams the recording as OpenAI chunks ending with usage', async () => {
        const s = await collect(request({ stream: true }));
        assert.equal(s.text, c.text);
        assert.equal(s.finish, 'stop');
        assert.equal((s.usage as { prompt_tokens?: number } | undefined)?.prompt_tokens, c.usage.prompt);
      });

      it('streams tool calls', async () => {
        const s = await collect(request({ stream: true, tools }));
        assert.equal(s.name, c.tool.name);
        assert.deepEqual(JSON.parse(s.args), c.tool.args);
        assert.equal(s.finish, 'tool_calls');
      });

      it('classifies failures: 429 retryable with Retry-After, 500 retryable, 400 final, 401 falls back, reset retryable', async () => {
        const fail = async (b: Parameters<Upstream['script']['push']>[0]) => {
          u.script.push(b);
          return c.provider.chat(request(), ctx()).then(
            () => assert.fail('expected a failure'),
            (e: unknown) => {
              assert.ok(e instanceof UpstreamError, String(e));
              return e;
            },
          );
        };
        const e429 = await fail({ kind: 'status', status: 429, retryAfter: '7' });
        assert.equal(e429.retryable, true);
        assert.equal(e429.retryAfterMs, 7000);
        assert.equal(e429.status, 429);
        assert.equal((await fail({ kind: 'status', status: 500 })).retryable, true);
        const e400 = await fail({ kind: 'status', status: 400, message: 'bad field' });
        assert.equal(e400.retryable, false);
        assert.equal(e400.fallback, false);
        assert.match(e400.message, /bad field/);
        const e401 = await fail({ kind: 'status', status: 401 });
        assert.equal(e401.retryable, false);
        assert.equal(e401.fallback, true);
        assert.equal(e401.status, 502);
        const reset = await fail({ kind: 'reset' });
        assert.equal(reset.retryable, true);
        assert.equal(reset.kind, 'network');
      });

      it('throws a stream error for an error event mid-stream and for a dropped connection', async () => {
        for (const b of [{ kind: 'midstream-error', after: 3 }, { kind: 'midstream-drop', after: 3 }] as const) {
          u.script.push(b);
          await assert.rejects(collect(request({ stream: true })), (e: unknown) => e instanceof UpstreamError && e.kind === 'stream');
        }
      });
    });
  }
});
