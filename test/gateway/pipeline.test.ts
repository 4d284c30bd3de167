// The gateway as one composed pipeline: steps run in order around each other, a resolver plugs in
// as one entry, and every operation (chat, stream, messages, embeddings, internal) is traced once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { compose, createGateway, parseGatewaySettings, type GatewayReply, type ModelResolver } from '../../src/gateway/index.js';
import type { ProviderCredentialsRepo } from '../../src/storage/index.js';

const noCredentials = { list: async () => [], get: async () => undefined, put: async () => { throw new Error('read-only'); }, delete: async () => false } as unknown as ProviderCredentialsRepo;
const project = { id: 'p1', slug: 'one' };
const principal = { keyId: 'k1', project };

function gateway(resolvers: ModelResolver[] = [], settings: Record<string, unknown> = {}) {
  const traces: Array<Record<string, unknown>> = [];
  const gw = createGateway({
    settings: parseGatewaySettings({ tracing: { flush_ms: 1 }, ...settings }),
    env: {},
    credentials: { repo: noCredentials, sealer: { seal: (s) => s, open: (s) => s } },
    traceSink: async (_p, batch) => void traces.push(...batch),
    projects: async (id) => (id === project.id ? project : undefined),
    resolvers,
    logger: silentLogger,
  });
  return { gw, traces, flushed: async () => gw.flushTraces() };
}

async function drain(r: GatewayReply): Promise<string> {
  if (r.kind === 'json') return r.body;
  let out = '';
  for await (const f of r.frames) out += f;
  return out;
}

const chat = { model: 'cheap', messages: [{ role: 'user', content: 'hello there' }] };
const signal = new AbortController().signal;

describe('gateway pipeline', () => {
  it('composes steps as an onion, and refuses a second next()', async () => {
    const seen: string[] = [];
    const run = compose<string[]>([
      async (c, next) => {
        c.push('a>');
        await next();
        c.push('<a');
      },
      async (c, next) => {
        c.push('b');
        await next();
      },
    ]);
    await run(seen);
    assert.deepEqual(seen, ['a>', 'b', '<a']);
    await assert.rejects(compose<null>([async (_c, next) => { await next(); await next(); }])(null), /more than once/);
  });

  it('lets a resolver rewrite the model in one entry; its notes land in the trace, for every operation', async () => {
    const resolver: ModelResolver = (r) => {
      if (r.model === 'cheap') {
        r.model = 'mock/echo';
        r.metadata.resolved_by = 'test';
      }
    };
    const { gw, traces, flushed } = gateway([resolver]);
    const json = await gw.chat(principal, chat, { 'x-aether-trace-id': 'json-1' }, signal);
    assert.equal(json.headers['x-aether-model'], 'mock/echo');
    assert.match(await drain(json), /mock response to: hello there/);
    const stream = await gw.chat(principal, { ...chat, stream: true }, { 'x-aether-trace-id': 'stream-1' }, signal);
    assert.match(await drain(stream), /\[DONE\]/);
    const msg = await gw.messages(principal, { ...chat, max_tokens: 16 }, { 'x-aether-trace-id': 'msg-1' }, signal);
    assert.equal((JSON.parse(await drain(msg)) as { type: string }).type, 'message');
    const internal = await gw.internal.chat({ projectId: 'p1', ...chat, messages: [{ role: 'user', content: 'judge this' }] }, { purpose: 'judge' });
    assert.match(internal.text, /judge this/);
    await flushed();
    const byId = new Map(traces.map((t) => [t.id as string, t]));
    for (const id of ['json-1', 'stream-1', 'msg-1', internal.traceId]) {
      const t = byId.get(id);
      assert.ok(t, `trace ${id} recorded`);
      assert.equal((t.metadata as Record<string, unknown>).resolved_by, 'test', id);
      assert.equal(t.model, 'echo');
    }
    assert.equal(traces.length, 4, 'each request traced exactly once');
    const meta = byId.get(internal.traceId)!.metadata as Record<string, unknown>;
    assert.equal(meta.internal, true);
    assert.equal(meta.purpose, 'judge');
    assert.equal((byId.get('json-1')!.metadata as Record<string, unknown>).internal, undefined);
  });

  it('traces a failure once, with its error, and answers it with the trace id', async () => {
    const { gw, traces, flushed } = gateway();
    await assert.rejects(gw.chat(principal, { ...chat, model: 'mock/fail' }, { 'x-aether-trace-id': 'fail-1', 'x-aether-max-retries': '0' }, signal), (e: Error & { headers?: Record<string, string> }) => {
      assert.equal(e.headers?.['x-aether-trace-id'], 'fail-1');
      return true;
    });
    await flushed();
    assert.equal(traces.length, 1);
    assert.equal(traces[0]!.status, 'error');
    assert.match(String(traces[0]!.error), /mock failure/);
  });

  it('refuses internal calls for a project it does not know', async () => {
    const { gw } = gateway();
    await assert.rejects(gw.internal.chat({ projectId: 'nope', model: 'mock/echo', messages: [{ role: 'user', content: 'x' }] }, { purpose: 'judge' }), /No project nope/);
  });
});
