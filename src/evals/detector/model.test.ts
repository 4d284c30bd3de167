import { test } from 'node:test';
import assert from 'node:assert/strict';
import shipped from './params.json' with { type: 'json' };
import { DEFAULT_PARAMS, DEFAULT_THRESHOLD, DETECTOR_VERSION, detectFaithfulness, validateParams, type DetectorResult } from './index.js';

// Hand-written examples (not from any benchmark data set).
const contexts = [
  'The Halden Observatory is an astronomical observatory on Mount Brenna in Norway. It was founded in 1911 by the astronomer Ingrid Solberg, who directed it until 1938.',
  'The observatory houses a 60-centimetre refracting telescope. It was closed to the public in 1994 and reopened as a museum in 2005.',
  'Solberg discovered two comets from Mount Brenna.',
];

function assertWellFormed(response: string, r: DetectorResult): void {
  if (r.score !== null) assert.ok(r.score >= 0 && r.score <= 1 && !Number.isNaN(r.score));
  assert.ok(r.reason.length > 0);
  for (const c of r.claims) {
    assert.equal(response.slice(c.start, c.end), c.text);
    assert.ok(c.score >= 0 && c.score <= 1 && !Number.isNaN(c.score));
    assert.ok(c.reason.length > 0);
  }
}

test('a supported answer scores high', () => {
  const cases: Array<[string | null, string]> = [
    ['Who founded the Halden Observatory?', 'Ingrid Solberg'],
    [null, 'The Halden Observatory in Norway was founded in 1911 by Ingrid Solberg.'],
    [null, 'The observatory was closed to the public in 1994. It reopened as a museum in 2005.'],
  ];
  for (const [question, response] of cases) {
    const r = detectFaithfulness({ question, response, contexts });
    assertWellFormed(response, r);
    assert.ok(r.score !== null && r.score >= DEFAULT_THRESHOLD, `${response}: ${r.score} (${r.reason})`);
    assert.ok(r.claims.every((c) => c.supported));
  }
});

test('an invented number scores low and the reason names it', () => {
  const response = 'The Halden Observatory was founded in 1852 by Ingrid Solberg.';
  const r = detectFaithfulness({ response, contexts });
  assertWellFormed(response, r);
  assert.ok(r.score !== null && r.score < DEFAULT_THRESHOLD, String(r.score));
  const bad = r.claims.find((c) => !c.supported);
  assert.match(bad?.reason ?? '', /"1852"/);
  assert.match(r.reason, /1852/);
});

test('an invented name scores low and the reason names it', () => {
  const response = 'The Halden Observatory was founded by the astronomer Lars Edvardsen.';
  const r = detectFaithfulness({ response, contexts });
  assert.ok(r.score !== null && r.score < DEFAULT_THRESHOLD, String(r.score));
  assert.match(r.claims.find((c) => !c.supported)?.reason ?? '', /"Lars", "Edvardsen"/);
  const short = detectFaithfulness({ question: 'Who founded the Halden Observatory?', response: 'Lars Edvardsen', contexts });
  assert.ok(short.score !== null && short.score < DEFAULT_THRESHOLD);
});

test('only the unsupported claim of a longer answer is flagged', () => {
  const response = 'The observatory was founded in 1911. It houses a 90-centimetre telescope.';
  const r = detectFaithfulness({ response, contexts });
  assertWellFormed(response, r);
  assert.deepEqual(
    r.claims.map((c) => c.supported),
    [true, false],
  );
  assert.equal(r.score, Math.min(...r.claims.map((c) => c.score)));
});

test('no contexts, blank contexts or an empty response give null, never NaN', () => {
  for (const input of [
    { response: 'Ingrid Solberg', contexts: [] },
    { response: 'Ingrid Solberg', contexts: ['', '   '] },
  ]) {
    const r = detectFaithfulness(input);
    assert.equal(r.score, null);
    assert.equal(r.reason, 'no contexts to check the response against');
  }
  const empty = detectFaithfulness({ response: '  ', contexts });
  assert.equal(empty.score, null);
  const nothing = detectFaithfulness({ response: '?!', contexts });
  assert.equal(nothing.score, null);
});

test('odd inputs never produce NaN', () => {
  const inputs = [
    'the of and to',
    '1 2 3 4 5 6 7 8 9',
    'ÆØÅ 東京 😀 — – … ...',
    'x'.repeat(5000),
    'Word. '.repeat(400),
  ];
  for (const response of inputs) {
    const r = detectFaithfulness({ question: 'What?', response, contexts });
    assertWellFormed(response, r);
  }
});

test('params: shipped file, version and threshold, and validation', () => {
  assert.equal(DEFAULT_THRESHOLD, shipped.threshold);
  assert.equal(DETECTOR_VERSION, shipped.version);
  assert.ok(DEFAULT_THRESHOLD > 0 && DEFAULT_THRESHOLD < 1);
  assert.throws(() => validateParams({ ...DEFAULT_PARAMS, weights: [1] }), /weights/);
  assert.throws(() => validateParams({ ...DEFAULT_PARAMS, features: ['nope'] }), /unknown feature/);
  assert.throws(() => validateParams(null), /invalid/);
  // custom params are honoured
  const strict = { ...DEFAULT_PARAMS, threshold: 1 };
  const r = detectFaithfulness({ question: 'Who founded it?', response: 'Ingrid Solberg', contexts }, strict);
  assert.ok(r.claims.every((c) => !c.supported));
});
