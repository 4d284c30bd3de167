// Claim highlighting: unsupported statements placed on the response by offsets, else by text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimsOf, fuzzyFind, locateClaims, segmentResponse, type Claim } from '../../web/src/lib/highlight.js';

const RESPONSE = 'Paris is the capital of France. It was founded by Julius Caesar in 1852. It has 9 million residents.';
const at = (s: string) => ({ start: RESPONSE.indexOf(s), end: RESPONSE.indexOf(s) + s.length });

describe('claim highlighting', () => {
  it('uses start/end offsets when they match the claim', () => {
    const c: Claim[] = [
      { text: 'Paris is the capital of France.', supported: true, reason: 'supported', ...at('Paris is the capital of France.') },
      { text: 'It was founded by Julius Caesar in 1852.', supported: false, reason: 'the number "1852" does not appear', ...at('It was founded by Julius Caesar in 1852.') },
      { text: 'It has 9 million residents.', supported: false, reason: 'the number "9" does not appear', ...at('It has 9 million residents.') },
    ];
    const segs = segmentResponse(RESPONSE, c);
    assert.equal(segs.map((s) => s.text).join(''), RESPONSE, 'segments rebuild the response');
    const marked = segs.filter((s) => s.claim !== undefined);
    assert.deepEqual(marked.map((s) => [s.claim, s.text]), [
      [1, 'It was founded by Julius Caesar in 1852.'],
      [2, 'It has 9 million residents.'],
    ]);
    assert.ok(locateClaims(RESPONSE, c).every((l) => l.by === 'offsets'));
  });

  it('falls back to searching the text when offsets are missing or wrong', () => {
    const c: Claim[] = [
      { text: 'It was founded by Julius Caesar in 1852.', supported: false }, // no offsets
      { text: 'It has 9 million residents.', supported: false, start: 0, end: 10 }, // offsets that do not match
    ];
    const locs = locateClaims(RESPONSE, c);
    assert.deepEqual(locs.map((l) => [l.claim, l.by, RESPONSE.slice(l.start, l.end)]), [
      [0, 'exact', 'It was founded by Julius Caesar in 1852.'],
      [1, 'exact', 'It has 9 million residents.'],
    ]);
  });

  it('finds a claim whose case or whitespace differs from the response', () => {
    const response = 'The tower is\n  330 metres tall.   It opened in 1889.';
    const locs = locateClaims(response, [
      { text: 'the tower is 330 metres tall.', supported: false },
      { text: 'IT OPENED IN 1889.', supported: false },
    ]);
    assert.deepEqual(locs.map((l) => [l.by, response.slice(l.start, l.end)]), [
      ['fuzzy', 'The tower is\n  330 metres tall.'],
      ['case', 'It opened in 1889.'],
    ]);
    assert.deepEqual(fuzzyFind('a  B\tc', 'b c'), { start: 3, end: 6 });
    assert.equal(fuzzyFind('abc', '   '), undefined);
  });

  it('leaves out claims that cannot be found, supported claims, and overlaps', () => {
    const c: Claim[] = [
      { text: 'Rome is in Italy.', supported: false },
      { text: 'Paris is the capital of France.', supported: true },
      { text: 'founded by Julius Caesar', supported: false },
      { text: 'Julius Caesar in 1852', supported: false }, // overlaps the previous one
    ];
    const segs = segmentResponse(RESPONSE, c);
    assert.deepEqual(segs.filter((s) => s.claim !== undefined).map((s) => s.text), ['founded by Julius Caesar']);
    assert.equal(segs.map((s) => s.text).join(''), RESPONSE);
    assert.deepEqual(segmentResponse(RESPONSE, c, false).filter((s) => s.claim !== undefined).map((s) => s.claim), [1, 2], 'supported ones too when asked');
  });

  it('highlights the second occurrence when the same sentence appears twice', () => {
    const response = 'It rains. It rains.';
    const locs = locateClaims(response, [
      { text: 'It rains.', supported: false },
      { text: 'It rains.', supported: false },
    ]);
    assert.deepEqual(locs.map((l) => l.start), [0, 10]);
  });

  it('handles an empty response and empty claims', () => {
    assert.deepEqual(segmentResponse('', []), [{ text: '' }]);
    assert.deepEqual(segmentResponse('abc', [{ text: '', supported: false }]), [{ text: 'abc' }]);
  });

  it('reads claims from evaluation details defensively', () => {
    assert.deepEqual(claimsOf(null), []);
    assert.deepEqual(claimsOf({ claims: 'nope' }), []);
    assert.deepEqual(claimsOf({ claims: [{ text: 'x', supported: false, reason: 'r', start: 1, end: 2 }, null, { text: 5 }] }), [
      { text: 'x', supported: false, reason: 'r', start: 1, end: 2 },
      { text: '', supported: false, reason: null, start: null, end: null },
    ]);
  });
});
