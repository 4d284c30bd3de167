import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatures } from './features.js';
import { scoreFeatures } from './model.js';
import { balancedAccuracy, bestThreshold, confusion, crossValidate, fitDetector, groupFolds, rocAuc, type Example } from './train.js';

test('ROC AUC counts ties as half and is 0.5 for uninformative scores', () => {
  // hallucinated rows should get the lower faithfulness scores
  assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [true, true, false, false]), 1);
  assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [true, true, false, false]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false]), 0.5);
  assert.equal(rocAuc([0.1, 0.5, 0.5, 0.9], [true, true, false, false]), 0.875);
});

test('the threshold maximizes balanced accuracy; scores below it are flagged', () => {
  const scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
  const labels = [true, true, true, false, false, false];
  const t = bestThreshold(scores, labels);
  assert.ok(t > 0.3 && t <= 0.7);
  assert.equal(balancedAccuracy(confusion(scores, labels, t)), 1);
});

test('folds keep groups together, are seeded and cover every row', () => {
  const groups = Array.from({ length: 40 }, (_, i) => `g${Math.floor(i / 2)}`);
  const a = groupFolds(groups, 5, 7);
  assert.deepEqual(a, groupFolds(groups, 5, 7));
  assert.notDeepEqual(a, groupFolds(groups, 5, 8));
  for (let i = 0; i < groups.length; i += 2) assert.equal(a[i], a[i + 1]);
  assert.deepEqual([...new Set(a)].sort(), [0, 1, 2, 3, 4]);
});

test('cross-validation never scores a row with a model fitted on it', () => {
  const labels = Array.from({ length: 30 }, (_, i) => i % 2 === 0);
  const groups = labels.map((_, i) => `g${i % 10}`);
  const seen = new Set<number>();
  crossValidate(labels, groups, (train, test) => {
    const trainSet = new Set(train);
    for (const i of test) {
      assert.ok(!trainSet.has(i));
      assert.ok(!train.some((j) => groups[j] === groups[i]));
      seen.add(i);
    }
    return { threshold: 0.5, scores: test.map(() => 0.5) };
  });
  assert.equal(seen.size, labels.length);
});

test('a fitted model separates invented facts from supported ones (hand-made data)', () => {
  const towns = ['Arlen', 'Bexley', 'Corvin', 'Dunmore', 'Elston', 'Farrow', 'Galway', 'Hollin', 'Irwin', 'Jarrow'];
  const examples: Example[] = [];
  towns.forEach((town, i) => {
    const contexts = [`The ${town} mill was built in ${1800 + i} by the Morrow family. It closed in ${1900 + i}.`];
    const q = `When was the ${town} mill built?`;
    examples.push({ label: false, group: town, f: extractFeatures({ question: q, response: `${1800 + i}`, contexts }) });
    examples.push({ label: false, group: town, f: extractFeatures({ response: `The ${town} mill closed in ${1900 + i}.`, contexts }) });
    examples.push({ label: true, group: town, f: extractFeatures({ question: q, response: `${1750 + i}`, contexts }) });
    examples.push({ label: true, group: town, f: extractFeatures({ response: `The ${town} mill was built by the Carver family.`, contexts }) });
  });
  const p = fitDetector(examples, { iterations: 300 });
  const scores = examples.map((e) => scoreFeatures(p, e.f) ?? 1);
  assert.equal(rocAuc(scores, examples.map((e) => e.label)), 1);
  assert.deepEqual(fitDetector(examples, { iterations: 300 }), p, 'deterministic');
});
