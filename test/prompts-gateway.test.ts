// The gateway renders a named prompt: the official openai client names it by header or body field,
// the labelled version is what the model sees, moving the label changes it with no app change, and
// the trace records prompt name and version so every metric can be cut by version.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`prompts through the gateway: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let base: string;
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', 'x-api-key': t.key }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
      return r.json() as Promise<Record<string, unknown>>;
    };
    const trace = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${base}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } });
        if (r.ok) return (await r.json()) as { metadata: Record<string, unknown>; query: string };
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`trace ${id} never arrived`);
    };

    before(async () => {
      t = await startTestApp(c);
      base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      await api('POST', '/api/v1/prompts', { name: 'greeter', type: 'text', prompt: 'Say hello to {{name}} in French.', variables: { name: 'string' }, labels: ['production'] });
      await api('POST', '/api/v1/prompts', { name: 'greeter', type: 'text', prompt: 'Say hello to {{name}} in German.', variables: { name: 'string' }, labels: ['staging'] });
    });
    after(async () => t?.close());

    it('renders the labelled version, records it on the trace, and follows a label move', async () => {
      const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: t.key, defaultHeaders: { 'x-aether-prompt': 'greeter' } });
      const ask = async (traceId: string) => {
        const r = await openai.chat.completions.create({ model: 'mock/echo', messages: [], prompt_variables: { name: 'Ada' } } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers: { 'x-aether-trace-id': traceId } });
        return r.choices[0]!.message.content!;
      };
      assert.match(await ask('pg-1'), /Say hello to Ada in French/);
      const t1 = await trace('pg-1');
      assert.equal(t1.metadata.prompt_name, 'greeter');
      assert.equal(t1.metadata.prompt_version, 1);

      await api('POST', '/api/v1/prompts/greeter/labels', { label: 'production', version: 2 });
      // the server's own cache is invalidated on the move: the next call renders version 2
      assert.match(await ask('pg-2'), /Say hello to Ada in German/);
      assert.equal((await trace('pg-2')).metadata.prompt_version, 2);
    });

    it('takes the prompt from the body too, and says what is missing', async () => {
      const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` }, body: JSON.stringify({ model: 'mock/echo', messages: [], prompt: { name: 'greeter', label: 'staging', variables: { name: 'Bob' } } }) });
      assert.equal(r.status, 200, await r.clone().text());
      assert.match(((await r.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, /Bob in German/);

      const missing = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}`, 'x-aether-prompt': 'greeter' }, body: JSON.stringify({ model: 'mock/echo', messages: [] }) });
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /name/);

      const none = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` }, body: JSON.stringify({ model: 'mock/echo', messages: [] }) });
      assert.equal(none.status, 400);
      assert.match(await none.text(), /at least one message, or name a prompt/);

      const unknown = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}`, 'x-aether-prompt': 'nope' }, body: JSON.stringify({ model: 'mock/echo', messages: [] }) });
      assert.equal(unknown.status, 404);
    });
  });
}
