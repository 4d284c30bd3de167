import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitClaims, type Claim } from './claims.js';

function assertSlices(response: string, claims: Claim[]): void {
  let last = 0;
  for (const c of claims) {
    assert.equal(response.slice(c.start, c.end), c.text, `offsets of ${JSON.stringify(c.text)}`);
    assert.ok(c.start >= last, 'claims are in order and do not overlap');
    last = c.end;
  }
}

test('a short answer is one claim read together with the question', () => {
  const q = 'In which city does the Orchard Street bakery have its head office?';
  for (const r of ['Lisbon', "Saint Anne's Bakery", '  Porto. ']) {
    const claims = splitClaims(r, q);
    assert.equal(claims.length, 1);
    assert.equal(claims[0]?.questionFocused, true);
    assertSlices(r, claims);
  }
  assert.equal(splitClaims(' Porto. ', q)[0]?.text, 'Porto.');
});

test('without a question a short answer is an ordinary claim', () => {
  const claims = splitClaims('Lisbon');
  assert.equal(claims.length, 1);
  assert.equal(claims[0]?.questionFocused, false);
});

test('sentences, list items, semicolons and joined clauses become separate claims', () => {
  const r =
    'The bridge opened in 1932 and it carried trams until 1961; buses replaced them. ' +
    'The U.S. engineer Mr. Hale designed it.\n\nKey facts:\n- 503 metres long\n- painted green';
  const claims = splitClaims(r);
  assert.deepEqual(
    claims.map((c) => c.text),
    [
      'The bridge opened in 1932',
      'it carried trams until 1961',
      'buses replaced them.',
      'The U.S. engineer Mr. Hale designed it.',
      'Key facts',
      '503 metres long',
      'painted green',
    ],
  );
  assertSlices(r, claims);
});

test('a second predicate of the same subject is its own claim, a list of names is not split', () => {
  const a = 'The library is in Ghent and was rebuilt in 1958.';
  assert.deepEqual(splitClaims(a).map((c) => c.text), ['The library is in Ghent', 'was rebuilt in 1958.']);
  const b = 'The trio recorded with Ana Ruiz and Tom Beck in Madrid.';
  assert.equal(splitClaims(b).length, 1);
});

test('offsets slice the response exactly, whatever the spacing and quotes', () => {
  const samples = [
    '“Blue Harbour” (2004) was directed by Ines Vale.   It won two awards!',
    'He said: "no". Then he left.\r\nNew line here.',
    'Prices rose 4.5% in 2021, while wages fell; analysts were surprised.',
    '',
    '   ',
  ];
  for (const s of samples) assertSlices(s, splitClaims(s));
  assert.deepEqual(splitClaims(''), []);
  assert.deepEqual(splitClaims('   '), []);
});
