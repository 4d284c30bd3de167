import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { canonicalName, costAt, fromAnthropicUsage, fromOpenAIUsage, priceUsage, resolvePrice } from './index.js';

const table = (JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')) as { models: Record<string, { i: number; o: number }> }).models;

describe('model-name normalisation', () => {
  it('strips provider, region and version decorations to the first-party name', () => {
    const cases: Array<[string, string]> = [
      ['openai/gpt-4o-mini', 'gpt-4o-mini'],
      ['openrouter/anthropic/claude-3.5-haiku', 'claude-3-5-haiku'],
      ['openrouter/anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'],
      ['bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku-20241022'],
      ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022'],
      ['vertex_ai/claude-3-5-haiku@20241022', 'claude-3-5-haiku-20241022'],
      ['GPT-4o-Mini', 'gpt-4o-mini'],
      ['gpt-4.1-mini', 'gpt-4.1-mini'],
    ];
    for (const [name, want] of cases) assert.equal(canonicalName(name), want, name);
  });

  it('prices each spelling of a model at its first-party price', () => {
    const sameAs: Array<[string, string]> = [
      ['openai/gpt-4o-mini', 'gpt-4o-mini'],
      ['gpt-4o-mini-2099-01-01', 'gpt-4o-mini'], // a snapshot the table does not list yet
      ['anthropic/claude-3-5-haiku-latest', 'anthropic.claude-3-5-haiku-20241022-v1:0'], // newest dated snapshot
      ['claude-3-5-haiku-20241022', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
      ['openrouter/anthropic/claude-3.5-haiku', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
      ['claude-3-5-sonnet-latest', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
      ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet-20250219'],
      ['claude-sonnet-4', 'claude-sonnet-4-20250514'],
      ['claude-sonnet-4-0', 'claude-sonnet-4-20250514'],
      ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'], // exact rows win
    ];
    for (const [name, key] of sameAs) assert.equal(resolvePrice(name)?.priced_as, key, name);
    assert.ok(table['anthropic.claude-3-5-haiku-20241022-v1:0'], 'the table holds the Bedrock base row');
  });

  it('uses the provider to find a reseller spelling first', () => {
    assert.equal(resolvePrice('anthropic/claude-sonnet-4', 'openrouter')?.priced_as, 'openrouter/anthropic/claude-sonnet-4');
  });

  it('leaves unknown models unpriced', () => {
    assert.deepEqual(priceUsage({ model: 'acme-llm-7b', usage: { input: 10, output: 1 } }), { source: 'unpriced' });
  });

  it('prices every model the README and docs name', () => {
    const root = new URL('../../../', import.meta.url);
    const files = [new URL('README.md', root), ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).map((f) => new URL(`docs/${f}`, root))];
    const names = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:(?:openai|anthropic|openrouter)\/)*(?:gpt-[0-9][a-z0-9.-]*[a-z0-9]|claude-[a-z0-9.-]*[a-z0-9])\b/g)) names.add(m[0]);
    }
    assert.ok(names.has('anthropic/claude-3-5-haiku-latest') && names.has('gpt-4o-mini'), [...names].join(', '));
    const unpriced = [...names].filter((n) => !resolvePrice(n));
    assert.deepEqual(unpriced, []);
  });
});

describe('usage conventions', () => {
  const price = { provider: 'x', input: 3e-6, output: 15e-6, cachedInput: 0.3e-6, cacheWrite: 3.75e-6 };

  it('charges cached prompt tokens once, at the cache rate, whichever format reported them', () => {
    const openai = fromOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 800, cache_write_tokens: 100 } });
    const anthropic = fromAnthropicUsage({ input_tokens: 100, output_tokens: 100, cache_read_input_tokens: 800, cache_creation_input_tokens: 100 });
    assert.deepEqual(anthropic, { input: 1000, output: 100, cached_read: 800, cached_write: 100 });
    const want = 100 * 3e-6 + 800 * 0.3e-6 + 100 * 3.75e-6 + 100 * 15e-6;
    assert.ok(Math.abs(costAt(price, openai) - want) < 1e-12);
    assert.ok(Math.abs(costAt(price, anthropic) - want) < 1e-12);
  });

  it('counts reasoning tokens inside output, at the reasoning rate when one is listed', () => {
    const u = fromOpenAIUsage({ prompt_tokens: 10, completion_tokens: 1000, completion_tokens_details: { reasoning_tokens: 900 } });
    assert.ok(Math.abs(costAt(price, u) - (10 * 3e-6 + 1000 * 15e-6)) < 1e-12);
    assert.ok(Math.abs(costAt({ ...price, reasoning: 1e-6 }, u) - (10 * 3e-6 + 100 * 15e-6 + 900 * 1e-6)) < 1e-12);
  });

  it('never charges more detail tokens than the total holds', () => {
    assert.equal(costAt(price, { input: 10, output: 0, cached_read: 50 }), Math.round(10 * 0.3e-6 * 1e10) / 1e10);
  });

  it('lets an override win over the table', () => {
    const r = priceUsage({ model: 'openai/gpt-4o-mini', usage: { input: 1e6, output: 0 } }, { 'gpt-4o-mini': { provider: 'project', input: 1e-6, output: 1e-6 } });
    assert.deepEqual(r, { cost_usd: 1, source: 'computed', priced_as: 'gpt-4o-mini' });
  });
});
