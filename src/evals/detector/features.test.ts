import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIM_FEATURES, extractFeatures, tokenOverlap, type ClaimFeatures } from './features.js';

const contexts = [
  'The Vasa Bridge is a steel arch bridge over the river Lune in Carlow. It was designed by the engineer Marta Koval and opened in 1932.',
  'Trams crossed the bridge until 1961. The bridge has never been tolled.',
];
const feature = (c: ClaimFeatures | undefined, name: (typeof CLAIM_FEATURES)[number]) => c?.x[CLAIM_FEATURES.indexOf(name)];
const only = (response: string, question: string | null = null) => {
  const f = extractFeatures({ question, response, contexts });
  assert.equal(f.claims.length, 1);
  return f.claims[0];
};

test('a claim made of context words is fully covered', () => {
  const c = only('The Vasa Bridge over the Lune was opened in 1932.');
  assert.equal(feature(c, 'coverage'), 1);
  assert.equal(feature(c, 'novelShare'), 0);
  assert.equal(feature(c, 'unsupportedNumber'), 0);
  assert.equal(feature(c, 'unsupportedEntity'), 0);
  assert.equal(feature(c, 'bestSentenceCoverage'), 1);
  for (const v of c?.x ?? []) assert.ok(Number.isFinite(v));
});

test('numbers, dates and names absent from the contexts are reported', () => {
  const both = extractFeatures({ response: 'The Vasa Bridge was designed by Peter Lindqvist and opened in 1952.', contexts });
  const evidence = both.claims.flatMap((x) => [...x.evidence.missingNumbers, ...x.evidence.missingEntities]);
  assert.deepEqual(evidence.sort(), ['1952', 'Lindqvist', 'Peter']);
  assert.ok(both.claims.some((x) => feature(x, 'unsupportedNumber') === 1));
  assert.ok(both.claims.some((x) => feature(x, 'unsupportedEntity') === 1));
});

test('words from the question do not count as unsupported', () => {
  const c = only('Marta Koval', 'Which engineer designed the Vasa Bridge?');
  assert.equal(c?.claim.questionFocused, true);
  assert.equal(feature(c, 'novelShare'), 0);
  const d = only('Ivan Petrov', 'Which engineer designed the Vasa Bridge?');
  assert.deepEqual(d?.evidence.missingEntities, ['Ivan', 'Petrov']);
});

test('a negation that the context does not make (or the reverse) is a flip', () => {
  assert.equal(only('The Vasa Bridge was not designed by Marta Koval.')?.evidence.negationFlip, 'claim');
  assert.equal(only('The bridge has been tolled.')?.evidence.negationFlip, 'context');
  assert.equal(only('The bridge has never been tolled.')?.evidence.negationFlip, null);
});

test('known name words put together differently are a broken name', () => {
  assert.equal(only('The bridge was designed by Marta Lune.')?.evidence.brokenName, 'Marta Lune');
  assert.equal(only('The bridge was designed by Marta Koval.')?.evidence.brokenName, null);
});

test('response-level features are shares', () => {
  const f = extractFeatures({ response: 'Trams crossed the bridge. Buses were banned by Governor Ruiz.', contexts });
  assert.equal(f.r.length, 2);
  for (const v of f.r) assert.ok(v >= 0 && v <= 1);
});

test('token overlap baseline', () => {
  assert.equal(tokenOverlap('Trams crossed the bridge', contexts), 1);
  assert.equal(tokenOverlap('Buses crossed the bridge', contexts), 2 / 3);
  assert.equal(tokenOverlap('the of and', contexts), null);
  assert.equal(tokenOverlap('Trams', []), null);
});
