// `aether prompts …` against a running server, as a user types it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeCases, tempDir } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('aether prompts CLI', () => {
  let t: TestApp;
  let env: Record<string, string>;
  const dir = tempDir();
  before(async () => {
    t = await startTestApp(storeCases[0]!);
    env = { AETHER_URL: await t.aether.server.listen({ port: 0, host: '127.0.0.1' }), AETHER_API_KEY: t.key };
  });
  after(async () => {
    await t?.close();
    dir.remove();
  });

  it('create, list, get, label, render', async () => {
    const c1 = await cli(['prompts', 'create', 'welcome', '--text', 'Hello {{name}}, welcome to {{place}}', '--label', 'production', '-m', 'first', '--variables', '{"place":{"type":"string","default":"Aether"}}', '--tag', 'onboarding'], env);
    assert.equal(c1.code, 0, c1.stderr);
    assert.match(c1.stdout, /created welcome v1; labels: latest, production/);
    const file = join(dir.dir, 'chat.json');
    writeFileSync(file, JSON.stringify([{ role: 'system', content: 'Greet {{name}} warmly.' }]));
    const c2 = await cli(['prompts', 'create', 'welcome-chat', '--file', file], env);
    assert.equal(c2.code, 0, c2.stderr);
    const c3 = await cli(['prompts', 'create', 'welcome', '--text', 'Hi {{name}}!'], env);
    assert.match(c3.stdout, /v2/);
    const list = await cli(['prompts', 'list'], env);
    assert.match(list.stdout, /welcome {2}text {2}v2 {2}.*production=v1/);
    assert.match(list.stdout, /welcome-chat {2}chat {2}v1/);
    const get = await cli(['prompts', 'get', 'welcome'], env);
    assert.match(get.stdout, /^welcome v1 \(text\) labels: production — first/);
    assert.match(get.stdout, /Hello \{\{name\}\}/);
    const r = await cli(['prompts', 'render', 'welcome', '--var', 'name=Ada'], env);
    assert.equal(r.stdout.trim(), 'Hello Ada, welcome to Aether');
    const mv = await cli(['prompts', 'label', 'welcome', 'production', '2'], env);
    assert.match(mv.stdout, /production moved from v1 to v2/);
    const json = await cli(['--json', 'prompts', 'render', 'welcome', '--var', 'name=Ada'], env);
    assert.equal((JSON.parse(json.stdout) as { prompt: string; version: number }).version, 2);
    const missing = await cli(['prompts', 'render', 'welcome'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /missing variables: name/);
    const v1 = await cli(['prompts', 'get', 'welcome#1'], env);
    assert.match(v1.stdout, /welcome v1/);
    const nokey = await cli(['prompts', 'list'], { AETHER_URL: env.AETHER_URL!, AETHER_API_KEY: '' });
    assert.equal(nokey.code, 1);
    assert.match(nokey.stderr, /--api-key|AETHER_API_KEY/);
  });
});
