// The router's pure parts: Pareto frontier, profile capabilities and SLO headers, auto model names,
// Thompson sampling staying within the policy's floor.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paretoFrontier, parseAutoModel, parseSloHeaders, profileRequest, sampleBeta, PromptIndex } from '../src/router/index.js';

describe('router units', () => {
  it('Pareto frontier keeps exactly the non-dominated points', () => {
    // [cost, -quality]: b dominates d (cheaper and better); a, b, c trade off; e duplicates b
    const pts = [
      [1, -0.5], // a
      [2, -0.8], // b
      [5, -0.95], // c
      [3, -0.7], // d (dominated by b)
      [2, -0.8], // e (ties b: neither dominates)
      [6, -0.9], // f (dominated by c)
    ];
    assert.deepEqual(paretoFrontier(pts), [0, 1, 2, 4]);
    assert.deepEqual(paretoFrontier([]), []);
    assert.deepEqual(paretoFrontier([[1, 1, 1], [1, 1, 2], [0, 2, 2]]), [0, 2]);
    // Two objectives take a sort-and-sweep path: the same frontier as the pairwise check (which a
    // constant third objective forces), ties and duplicates included.
    let seed = 5;
    const r = () => Math.floor(((seed = (seed * 16807) % 2147483647) / 2147483647) * 6);
    for (let t = 0; t < 200; t++) {
      const two = Array.from({ length: 1 + (t % 30) }, () => [r(), -r()]);
      assert.deepEqual(paretoFrontier(two), paretoFrontier(two.map((p) => [...p, 0])), JSON.stringify(two));
    }
  });

  it('profile reads capabilities, context and personal data from the request alone', () => {
    const p = profileRequest(
      {
        messages: [
          { role: 'system', content: 'Answer in JSON.' },
          { role: 'user', content: [{ type: 'text', text: 'What is in this picture? Mail me at jane.doe@example.com' }, { type: 'image_url', image_url: { url: 'data:,' } }] },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
        response_format: { type: 'json_object' },
        max_tokens: 500,
      },
      {},
      [],
    );
    assert.deepEqual(p.needs, { tools: true, vision: true, json: true });
    assert.equal(p.pii, true);
    assert.ok(p.inputTokens > 10 && p.inputTokens < 60, String(p.inputTokens));
    assert.equal(p.neededContext, p.inputTokens + 500);
    const plain = profileRequest({ messages: [{ role: 'user', content: 'Write a python function that reverses a list' }] }, {}, []);
    assert.deepEqual(plain.needs, { tools: false, vision: false, json: false });
    assert.equal(plain.pii, false);
    assert.equal(plain.taskType, 'code');
    assert.equal(profileRequest({ messages: [{ role: 'user', content: 'Summarize this article in three key points: ...' }] }, {}, []).taskType, 'summarization');
  });

  it('SLO headers and auto model names parse, bad values refuse', () => {
    assert.deepEqual(parseSloHeaders({ 'x-aether-route': 'fastest', 'x-aether-max-latency-ms': '800', 'x-aether-max-cost-usd': '0.01', 'x-aether-min-quality': '0.9' }), { route: 'fastest', maxLatencyMs: 800, maxCostUsd: 0.01, minQuality: 0.9 });
    assert.throws(() => parseSloHeaders({ 'x-aether-min-quality': '2' }));
    assert.throws(() => parseSloHeaders({ 'x-aether-max-latency-ms': 'fast' }));
    assert.deepEqual(parseAutoModel('auto'), { routed: true, policy: undefined });
    assert.deepEqual(parseAutoModel('auto:utility'), { routed: true, policy: 'utility' });
    assert.deepEqual(parseAutoModel('gpt-4o'), { routed: false });
    assert.throws(() => parseAutoModel('auto:magic'), /unknown routing policy/);
  });

  it('Beta samples follow the posterior', () => {
    let s = 1;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const xs = Array.from({ length: 4000 }, () => sampleBeta(8, 2, rnd));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.8) < 0.02, String(mean));
    assert.ok(xs.every((x) => x > 0 && x < 1));
  });

  it('the prompt index finds similar prompts and collects each model’s outcomes on one prompt', () => {
    const idx = new PromptIndex(3);
    idx.add('What is the boiling point of water at sea level?', { traceId: 't1', metric: 'feedback', model: 'a', score: 1, taskType: 'qa' });
    idx.add('What is the boiling point of water at sea level?', { traceId: 't2', metric: 'feedback', model: 'b', score: 0, taskType: 'qa' });
    idx.add('Write a haiku about autumn leaves', { traceId: 't3', metric: 'feedback', model: 'a', score: 1, taskType: 'creative' });
    const nb = idx.nearest('At sea level, what is the boiling point of water?', 2);
    assert.equal(nb[0]!.entry.outcomes.get('b')!.sum, 0);
    assert.equal(nb[0]!.entry.outcomes.size, 2);
    assert.ok(nb[0]!.sim > 0.5);
    // bounded: the oldest prompt is evicted
    idx.add('Translate good morning into French', { traceId: 't4', metric: 'feedback', model: 'a', score: 1, taskType: 'translation' });
    idx.add('Explain recursion to a child', { traceId: 't5', metric: 'feedback', model: 'a', score: 1, taskType: 'qa' });
    assert.equal(idx.size, 3);
    assert.equal(idx.nearest('boiling point of water', 3).length, 0);
  });
});
