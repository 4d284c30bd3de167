import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanStrings } from './safety.js';

describe('cleanStrings', () => {
  it('hands back a clean body as it is, without copying it', () => {
    const body = { query: 'hello', spans: [{ input: { messages: [{ role: 'user', content: 'hi ✓ 👍' }] }, n: 1, ok: true, none: null }] };
    assert.equal(cleanStrings(body), body);
  });

  it('copies a body with NUL or a lone surrogate anywhere (nested values, array items, keys), leaving the original as it was', () => {
    for (const body of [
      { a: { b: [{ c: 'x\u0000y' }] } },
      { a: ['fine', ['deep \ud800']] },
      { a: { 'key\u0000': 1 } },
    ]) {
      const before = JSON.stringify(body);
      const clean = cleanStrings(body);
      assert.notEqual(clean, body);
      assert.equal(JSON.stringify(body), before, 'the original (what the upstream got) is untouched');
      const text = JSON.stringify(clean);
      assert.ok(!text.includes('\\u0000') && !text.includes('\\ud800'), text);
      assert.ok(text.includes('\ufffd'));
    }
  });
});
