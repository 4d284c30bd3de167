import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPii } from './pii.js';

const types = (s: string) => findPii(s, 'response').map((f) => f.type);

describe('findPii', () => {
  it('finds card numbers only when the Luhn check passes', () => {
    assert.deepEqual(types('card 4111 1111 1111 1111 ok'), ['credit_card']);
    assert.deepEqual(types('card 4111 1111 1111 1112 ok'), []);
  });

  it('validates IBANs with the mod-97 check', () => {
    assert.deepEqual(types('pay to GB82 WEST 1234 5698 7654 32 today'), ['iban']);
    assert.deepEqual(types('pay to GB82 WEST 1234 5698 7654 33 today'), []);
  });

  it('finds emails, phones, SSNs and secrets with exact spans and masked previews', () => {
    const text = 'Mail bob@example.org or call +1 415-555-0132; SSN 123-45-6789; key AKIAIOSFODNN7EXAMPLE';
    const found = findPii(text, 'query');
    assert.deepEqual(found.map((f) => f.type), ['email', 'phone', 'us_ssn', 'aws_access_key']);
    for (const f of found) {
      assert.equal(f.field, 'query');
      assert.ok(!f.preview.includes(text.slice(f.start + 3, f.end - 2)) || f.end - f.start <= 6, 'preview is masked');
    }
    assert.equal(text.slice(found[0]!.start, found[0]!.end), 'bob@example.org');
  });

  it('does not flag ordinary numbers, dates or invalid SSNs', () => {
    assert.deepEqual(types('In 2023 revenue was 1,234,567 dollars on 2023-04-05; id 000-12-3456'), []);
  });
});
