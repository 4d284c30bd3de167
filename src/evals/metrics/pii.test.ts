import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPii, hasPii } from './pii.js';

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

  it('finds 7-digit local US numbers and the fictional 555-01XX range', () => {
    const text = 'Call our hotline at 555-0199';
    const found = findPii(text, 'response');
    assert.deepEqual(found.map((f) => f.type), ['phone']);
    assert.equal(text.slice(found[0]!.start, found[0]!.end), '555-0199');
    for (const positive of ['My number is 867-5309.', 'Reach Bob: 212-4567 after 5pm', 'text 555 0123 or 555.0142', 'Phone number 555-0100, ext 4']) {
      assert.ok(types(positive).includes('phone'), positive);
    }
    assert.equal(types('call 555-0101 or 555-0102').length, 2);
  });

  it('does not take card digits, dates, versions, prices or order numbers for a local number', () => {
    assert.deepEqual(types('card 4111-1111-1111-1111 was declined'), ['credit_card']);
    for (const negative of [
      'card 4111-1111-1111-1111 was declined',
      'card 4111 1111 1111 1112 was declined',
      'released on 2024-05-07 and 07-05-2024',
      'upgrade to v1.2.345-6789 or 3.555-0199',
      'it costs $299-1299 or 299-1299 dollars',
      'Order #555-0199 shipped; order number 555-0123; invoice 555-0144; SKU 482-9911',
      'pages 223-4567 of volume 2',
      'dial 411-1234 for help',
    ]) {
      assert.ok(!types(negative).includes('phone'), negative);
    }
  });

  it('hasPii answers whether findPii finds anything (what the router checks per request)', () => {
    const texts = [
      'card 4111 1111 1111 1111 ok',
      'card 4111 1111 1111 1112 ok',
      'pay to GB82 WEST 1234 5698 7654 33 today',
      'Mail bob@example.org or call +1 415-555-0132',
      'In 2023 revenue was 1,234,567 dollars on 2023-04-05; id 000-12-3456',
      'Order #555-0199 shipped; order number 555-0123',
      'Reach Bob: 212-4567 after 5pm',
      'key AKIAIOSFODNN7EXAMPLE',
      'What is the capital of France?',
    ];
    const flagged = texts.filter((t) => hasPii(t));
    assert.deepEqual(flagged, texts.filter((t) => findPii(t, 'query').length > 0));
    assert.ok(flagged.length >= 4 && flagged.length < texts.length);
  });
});
