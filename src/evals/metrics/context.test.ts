import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, contextPrecision, contextRecall } from './context.js';
import { DEFAULT_EVALUATION_CONFIG } from '../../core/index.js';

const deps = { config: DEFAULT_EVALUATION_CONFIG };
const trace = (over: Record<string, unknown>) => ({ id: 't', projectId: 'p', query: 'Where is the Eiffel Tower?', response: null, contexts: [], reference: null, metadata: {}, ...over });

describe('context metrics', () => {
  it('average precision rewards useful contexts ranked first', () => {
    assert.equal(averagePrecision([1, 1, 0]), 1);
    assert.equal(averagePrecision([0, 1]), 0.5);
    assert.equal(averagePrecision([0, 0]), 0);
  });

  it('scores ranking against the reference answer without a judge', async () => {
    const contexts = [{ text: 'Bananas are rich in potassium.' }, { text: 'The Eiffel Tower stands in Paris, France.' }];
    const r = await contextPrecision.evaluate(trace({ contexts, reference: 'The Eiffel Tower is in Paris.' }), deps);
    assert.equal(r.score, 0.5);
    assert.equal(r.details?.against, 'reference');
  });

  it('needs a reference for recall and says so', async () => {
    const none = await contextRecall.evaluate(trace({ contexts: [{ text: 'x' }] }), deps);
    assert.equal(none.score, null);
    assert.match(none.reason, /reference/);
    const r = await contextRecall.evaluate(
      trace({ contexts: [{ text: 'The Eiffel Tower stands in Paris, France.' }], reference: 'The Eiffel Tower is in Paris. It was painted gold in 1999.' }),
      deps,
    );
    assert.equal(r.score, 0.5);
  });
});
