import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AetherError } from '../core/errors.js';
import { openAIFormat } from './formats.js';
import { chatRequestSchema, plainChatRequest } from './schemas.js';

const user = { role: 'user', content: 'What is the capital of France?' };
const base = { model: 'openai/gpt-4o-mini', messages: [user] };

// Bodies the hand check must take as they are: the shapes nearly every client sends.
const plain: Array<Record<string, unknown>> = [
  base,
  { ...base, max_tokens: 32, temperature: 0, top_p: 1, n: 1, stream: true, stop: 'END', user: 'u-1', seed: 7, response_format: { type: 'json_object' } },
  { ...base, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'assistant', content: null }, { role: 'tool', content: 'ok', tool_call_id: 'c1' }, user] },
  { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:,' } }] }] },
  { ...base, stream: null, max_tokens: null, temperature: 2, messages: [] },
];

// Bodies it must leave to the schema: some valid (rarer fields), most not.
const others: unknown[] = [
  null,
  [],
  'text',
  { messages: [user] },
  { ...base, model: '' },
  { ...base, model: 'x'.repeat(257) },
  { ...base, model: 'gpt\r\nx-injected: 1' },
  { ...base, model: 'gpt\ud800' },
  { ...base, model: 7 },
  { ...base, messages: 'hi' },
  { ...base, messages: [{ role: 'robot', content: 'hi' }] },
  { ...base, messages: [{ role: 'user', content: 5 }] },
  { ...base, messages: [{ role: 'user', content: [{ type: '' }] }] },
  { ...base, messages: [{ role: 'user', content: [{ text: 'no type' }] }] },
  { ...base, messages: [{ role: 'tool', content: 'x', tool_call_id: null }] },
  { ...base, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
  { ...base, messages: [{ role: 'assistant', tool_calls: [{ id: 'c1', type: 'nope' }] }] },
  { ...base, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'auto' },
  { ...base, tool_choice: 'sometimes' },
  { ...base, stream: 'yes' },
  { ...base, stream_options: { include_usage: true } },
  { ...base, stream_options: { include_usage: 'yes' } },
  { ...base, max_tokens: 0 },
  { ...base, max_tokens: 1.5 },
  { ...base, max_tokens: 2 ** 60 },
  { ...base, n: -1 },
  { ...base, max_completion_tokens: '32' },
  { ...base, temperature: 2.5 },
  { ...base, temperature: -0.1 },
  { ...base, top_p: 1.1 },
  { ...base, stop: ['a', 'b'] },
  { ...base, stop: ['a', 'b', 'c', 'd', 'e'] },
  { ...base, stop: 3 },
  { ...base, user: 'u'.repeat(257) },
  { ...base, user: 3 },
];

describe('chat request check', () => {
  it('takes the common request as it is, and the schema would have taken it unchanged', () => {
    for (const body of plain) {
      const fast = plainChatRequest(body);
      assert.equal(fast, body, JSON.stringify(body));
      assert.deepEqual(chatRequestSchema.parse(body), body);
    }
  });

  it('leaves anything else to the schema, which accepts or refuses with the field named', () => {
    for (const body of others) {
      assert.equal(plainChatRequest(body), undefined, JSON.stringify(body));
      const zod = chatRequestSchema.safeParse(body);
      if (zod.success) {
        assert.deepEqual(openAIFormat.parse(body), zod.data);
        continue;
      }
      assert.throws(
        () => openAIFormat.parse(body),
        (e: unknown) => e instanceof AetherError && e.status === 400 && JSON.stringify(e.toJSON()).includes(String(zod.error.issues[0]!.path[0] ?? '')),
        JSON.stringify(body),
      );
    }
  });
});
