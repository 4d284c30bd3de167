// `aether monitor validate|run|list` as a user runs them, including the CI shape: a monitor file
// POSTed to a deployed Aether (`--url` + AETHER_API_KEY), hourly, scoring only what is new.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/stores.js';
import { runCli, startServer, type ServerProcess } from './helpers/process.js';

describe('aether monitor', () => {
  let t: { dir: string; remove: () => void };
  let server: ServerProcess;
  let key: string;
  const good = ['name: ci-overlap', 'source:', '  type: aether', '  filters: { tag: prod }', 'sampling: { strategy: random_rate, rate: 1 }', 'metrics:', '  - name: token_overlap', 'thresholds:', '  token_overlap: { alert_below: 0.2 }', ''].join('\n');

  before(async () => {
    t = tempDir('aether-mon-cli-');
    server = await startServer([], { AETHER_DATA_DIR: t.dir });
    key = (JSON.parse(readFileSync(join(t.dir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    t.remove();
  });

  it('validate names line, column and field, and exits non-zero', () => {
    const file = join(t.dir, 'bad.yaml');
    writeFileSync(file, good.replace('name: token_overlap', 'name: token_overlapp').replace('rate: 1 }', 'rate: 1, extra: 2 }'));
    const r = runCli(['monitor', 'validate', file], { AETHER_DATA_DIR: t.dir });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bad\.yaml:5:\d+: sampling\.extra: unknown field "extra"/);
    const ok = join(t.dir, 'good.yaml');
    writeFileSync(ok, good);
    const v = runCli(['monitor', 'validate', ok], { AETHER_DATA_DIR: t.dir });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /monitor "ci-overlap" is valid/);
    const unknown = runCli(['monitor', 'validate', file.replace('bad', 'bad2')], { AETHER_DATA_DIR: t.dir });
    assert.notEqual(unknown.status, 0);
  });

  it('run --url: a deployed Aether runs the file; the next run scores only new traces; list shows it', async () => {
    const ingest = async (n: number) => {
      const traces = Array.from({ length: n }, (_, i) => ({ query: `q ${i}`, response: 'Paris is the capital of France.', contexts: [{ text: 'Paris is the capital of France.' }], tags: ['prod'] }));
      const r = await fetch(`${server.url}/api/v1/traces/batch`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ traces }) });
      assert.ok(r.ok, await r.text());
    };
    await ingest(5);
    const file = join(t.dir, 'good.yaml');
    writeFileSync(file, good);
    const env = { AETHER_DATA_DIR: t.dir, AETHER_API_KEY: key };
    const first = runCli(['--json', 'monitor', 'run', file, '--url', server.url], env);
    assert.equal(first.status, 0, first.stderr);
    const r1 = JSON.parse(first.stdout) as { scored: number; status: string };
    assert.equal(r1.scored, 5);
    assert.equal(r1.status, 'OK');
    await ingest(2);
    const second = runCli(['monitor', 'run', file, '--url', server.url], env);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /scored 2, skipped as duplicates 0/);
    const dry = runCli(['monitor', 'run', file, '--dry-run', '--since', '2h'], { AETHER_DATA_DIR: t.dir });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /dry run.*\n.*sampled 7, scored 0, skipped as duplicates 7/);
    const list = runCli(['monitor', 'list'], { AETHER_DATA_DIR: t.dir });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /ci-overlap\tfile\tOK/);
    const noKey = runCli(['monitor', 'run', file, '--url', server.url], { AETHER_DATA_DIR: t.dir, AETHER_API_KEY: '' });
    assert.notEqual(noKey.status, 0);
  });
});
