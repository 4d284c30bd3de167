// `npm run gen:pricing` regenerates the price table offline from a local model_prices.json, and
// stops with one clear line (leaving the table as it was) when the source is missing or unusable.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aether-gen-pricing-'));
const out = join(dir, 'prices.json');
const run = (source: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-pricing.ts', source, out], { encoding: 'utf8' });

describe('gen:pricing', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes chat and embedding models with their token prices from a local file', () => {
    const source = join(dir, 'model_prices.json');
    writeFileSync(source, JSON.stringify({
      sample_spec: { mode: 'chat', input_cost_per_token: 1, output_cost_per_token: 1 },
      'claude-x': { mode: 'chat', litellm_provider: 'anthropic', input_cost_per_token: 1e-6, output_cost_per_token: 5e-6, cache_read_input_token_cost: 1e-7, cache_creation_input_token_cost: 1.25e-6 },
      'embed-x': { mode: 'embedding', litellm_provider: 'openai', input_cost_per_token: 2e-8 },
      'image-x': { mode: 'image_generation', input_cost_per_token: 1 },
    }));
    const r = run(source);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote 2 models/);
    const table = JSON.parse(readFileSync(out, 'utf8')) as { models: Record<string, unknown> };
    assert.deepEqual(table.models, {
      'claude-x': { p: 'anthropic', i: 1e-6, o: 5e-6, cr: 1e-7, cw: 1.25e-6 },
      'embed-x': { p: 'openai', i: 2e-8, o: 0 },
    });
  });

  it('says what is wrong and leaves the table unchanged when the source is missing, not JSON or empty', () => {
    writeFileSync(out, 'previous table\n');
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /cannot read .*missing\.json \(ENOENT\).*npm run gen:pricing -- path\/to\/model_prices\.json/],
      [join(dir, 'broken.json'), /broken\.json is not JSON/],
      [join(dir, 'empty.json'), /empty\.json lists no chat, completion, responses or embedding model/],
    ];
    writeFileSync(join(dir, 'broken.json'), '{"gpt":');
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ 'image-x': { mode: 'image_generation', input_cost_per_token: 1 } }));
    for (const [source, why] of cases) {
      const r = run(source);
      assert.equal(r.status, 1, source);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /left unchanged/);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
      assert.equal(existsSync(out) && readFileSync(out, 'utf8'), 'previous table\n');
    }
  });
});
