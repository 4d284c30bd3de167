import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sentencesOf, stem, tokenize } from './text.js';

const norms = (s: string) => tokenize(s).map((t) => t.norm);

test('numbers keep their value whatever the formatting', () => {
  assert.deepEqual(norms('$181,674,817 on a 6.213 km track in the 32nd year'), ['181674817', 'on', 'a', '6.213', 'km', 'track', 'in', 'the', '32', 'year']);
  assert.equal(tokenize('sixteen')[0]?.kind, 'number');
  assert.equal(tokenize('sixteen')[0]?.norm, '16');
  assert.deepEqual(norms('16-year-old'), ['16', 'year', 'old']);
});

test('a list marker at the start of a line is not a number', () => {
  assert.deepEqual(norms('1. Paris\n2) Lyon'), ['paris', 'lyon']);
  assert.deepEqual(norms('1990. The end'), ['1990', 'the', 'end']);
});

test('possessives are dropped and contractions become a negation', () => {
  const toks = tokenize("Maria's band didn't tour");
  assert.deepEqual(
    toks.map((t) => t.norm),
    ['maria', 'band', 'did', 'not', 'tour'],
  );
  assert.equal(toks.find((t) => t.norm === 'not')?.neg, true);
});

test('the stemmer maps inflections and irregular forms together', () => {
  assert.equal(stem('released'), stem('release'));
  assert.equal(stem('releasing'), stem('release'));
  assert.equal(stem('cities'), stem('city'));
  assert.equal(stem('won'), stem('wins'));
  assert.equal(stem('movies'), stem('film'));
  assert.equal(stem('stopped'), stem('stop'));
});

test('sentences split after a full stop, also without a space, but not after abbreviations', () => {
  const sents = sentencesOf(tokenize('The museum opened in 1901.The U.S. Army and Mr. Smith visited. It rained'));
  assert.deepEqual(
    sents.map((s) => s.map((t) => t.lower).join(' ')),
    ['the museum opened in 1901', 'the us army and mr smith visited', 'it rained'],
  );
});

test('offsets point into the original text', () => {
  const text = '  “Héloïse” earned €5,000 in 2019.';
  for (const t of tokenize(text)) assert.ok(t.start >= 0 && t.end <= text.length && t.start < t.end);
  const h = tokenize(text)[0];
  assert.equal(h && text.slice(h.start, h.end), 'Héloïse');
});
