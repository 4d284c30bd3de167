// Fit the local faithfulness detector on HaluEval-QA dev and write src/evals/detector/params.json.
//
//   npx tsx scripts/fit-detector.ts            # data from ../shared/data (or $AETHER_SHARED_DIR)
//
// Only halueval_qa.dev.jsonl is used (question, contexts, response, label; never right_answer).
// FaithBench is for measuring only: see bench/evals/detector.ts. Deterministic: full-batch training
// from zero weights, no randomness.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FEATURES_REVISION } from '../src/evals/detector/features.js';
import {
  DEFAULT_FIT_OPTIONS,
  SHIPPED_FEATURES,
  confusion,
  balancedAccuracy,
  fitDetector,
  readLabeledJsonl,
  rocAuc,
  scoreOrOne,
  toExamples,
} from '../src/evals/detector/train.js';

const dataDir = process.env.AETHER_SHARED_DIR
  ? pathToFileURL(resolve(process.env.AETHER_SHARED_DIR) + '/')
  : new URL('../../shared/data/', import.meta.url);
const source = new URL('halueval_qa.dev.jsonl', dataDir);
const out = new URL('../src/evals/detector/params.json', import.meta.url);

const rows = readLabeledJsonl(source);
const examples = toExamples(rows);
const params = fitDetector(examples, { ...DEFAULT_FIT_OPTIONS, features: SHIPPED_FEATURES });
const hash = createHash('sha256')
  .update(JSON.stringify([params.features, params.mean, params.scale, params.weights, params.bias, params.threshold]))
  .digest('hex')
  .slice(0, 8);
params.version = `${FEATURES_REVISION}.${hash}`;
const positives = rows.filter((r) => r.hallucinated).length;
params.fittedOn =
  `halueval_qa.dev.jsonl: ${rows.length} rows (${positives} hallucinated), question + contexts + response only; ` +
  'claim-level logistic regression with max pooling over claims, balanced class weights; ' +
  'threshold maximizes balanced accuracy on the same rows';
const scores = examples.map((e) => scoreOrOne(params, e.f));
const labels = examples.map((e) => e.label);
params.notes = {
  settings: DEFAULT_FIT_OPTIONS,
  trainingBalancedAccuracy: round(balancedAccuracy(confusion(scores, labels, params.threshold))),
  trainingAuc: round(rocAuc(scores, labels)),
  caveat: 'in-sample figures; see bench/results/evals-detector.md for cross-validated and cross-dataset figures',
};
writeFileSync(out, JSON.stringify(params, null, 2) + '\n');
console.log(`wrote ${fileURLToPath(out)}: version ${params.version}, threshold ${params.threshold}`);
console.log(`  in-sample balanced accuracy ${params.notes.trainingBalancedAccuracy}, AUC ${params.notes.trainingAuc}`);
for (const [i, f] of params.features.entries()) console.log(`  ${f.padEnd(24)} ${(params.weights[i] ?? 0).toFixed(3)}`);

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
