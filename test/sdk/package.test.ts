// The @aether/sdk package as users get it: built with both tsconfigs, installed under node_modules,
// loaded by name with `import` and `require`, type-checked through its exports map, and sending a
// trace from a process that exits without calling shutdown() (the beforeExit flush).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/stores.js';
import { startSdkServer, type SdkServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SDK = join(ROOT, 'sdk');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

describe('@aether/sdk package', () => {
  let s: SdkServer;
  const tmp = tempDir('aether-sdk-pkg-');
  const pkg = join(tmp.dir, 'node_modules/@aether/sdk');
  const node = (args: string[], env: Record<string, string> = {}) =>
    execFileSync(process.execPath, args, { cwd: tmp.dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

  // The server runs in this process: a program talking to it must not block our event loop.
  const nodeAsync = (args: string[], env: Record<string, string>) =>
    promisify(execFile)(process.execPath, args, { cwd: tmp.dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    mkdirSync(pkg, { recursive: true });
    cpSync(join(SDK, 'package.json'), join(pkg, 'package.json'));
    node([TSC, '-p', join(SDK, 'tsconfig.esm.json'), '--outDir', join(pkg, 'dist/esm')]);
    node([TSC, '-p', join(SDK, 'tsconfig.cjs.json'), '--outDir', join(pkg, 'dist/cjs')]);
    node([join(SDK, 'scripts/cjs-package.mjs'), join(pkg, 'dist/cjs')]);
    s = await startSdkServer();
  });
  after(async () => {
    await s?.close();
    tmp.remove();
  });

  it('has no runtime dependencies and maps import, require and types', () => {
    const manifest = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.type, 'module');
    const exp = (manifest.exports as Record<string, { import: { types: string }; require: { types: string } }>)['.']!;
    assert.equal(exp.import.types, './dist/esm/index.d.ts');
    assert.equal(exp.require.types, './dist/cjs/index.d.ts');
    assert.equal(readFileSync(join(pkg, 'dist/cjs/package.json'), 'utf8').trim(), '{ "type": "commonjs" }');
  });

  it('type-checks a consumer through the exports map', () => {
    writeFileSync(
      join(tmp.dir, 'consumer.ts'),
      [
        "import { AetherClient, instrumentOpenAI, type ClientStats } from '@aether/sdk';",
        "const c = new AetherClient({ apiKey: 'ae_x', sampleRate: 0.5 });",
        "const f = c.trace(async (q: string) => q.length, { name: 'f' });",
        'const n: Promise<number> = f("q");',
        "const stats: ClientStats = c.stats();",
        'void n; void stats; void instrumentOpenAI;',
      ].join('\n'),
    );
    const opts = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--skipLibCheck', 'false'];
    writeFileSync(join(tmp.dir, 'package.json'), '{ "type": "module" }\n');
    node([TSC, ...opts, '--typeRoots', join(ROOT, 'node_modules/@types'), 'consumer.ts']);
  });

  it('sends from an ESM and a CommonJS program that exit without shutdown()', async () => {
    const program = (load: string) =>
      [
        load,
        "const c = new AetherClient({ apiKey: process.env.KEY, baseUrl: process.env.URL, flushIntervalMs: 3_600_000 });",
        "const answer = c.trace((q) => q + ' answered', { name: 'exit-test' });",
        'answer(process.env.Q);',
      ].join('\n');
    writeFileSync(join(tmp.dir, 'app.mjs'), program("import { AetherClient } from '@aether/sdk';"));
    writeFileSync(join(tmp.dir, 'app.cjs'), program("const { AetherClient } = require('@aether/sdk');"));
    const runs = await Promise.all([
      nodeAsync(['app.mjs'], { KEY: s.key, URL: s.url, Q: 'from esm' }),
      nodeAsync(['app.cjs'], { KEY: s.key, URL: s.url, Q: 'from cjs' }),
    ]);
    for (const r of runs) assert.equal(r.stderr, '', 'no delivery errors reported');
    for (const q of ['from esm', 'from cjs']) {
      const r = await fetch(`${s.url}/api/v1/traces?q=${encodeURIComponent(q)}`, { headers: { 'x-api-key': s.key } });
      const data = ((await r.json()) as { data: Array<{ response: string }> }).data;
      assert.deepEqual(data.map((t) => t.response), [`${q} answered`], q);
    }
  });

  it('exits promptly when the server is down, after its retries, saying why on stderr', async () => {
    writeFileSync(
      join(tmp.dir, 'down.mjs'),
      [
        "import { AetherClient } from '@aether/sdk';",
        "const c = new AetherClient({ apiKey: 'ae_x', baseUrl: 'http://127.0.0.1:9', maxRetries: 2, retryBaseMs: 50 });",
        "console.log(c.trace((q) => q.length)('still runs'));",
      ].join('\n'),
    );
    const t0 = Date.now();
    const r = await nodeAsync(['down.mjs'], {});
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(r.stdout.trim(), '10');
    assert.match(r.stderr, /\[aether\] cannot reach .*gave up after 3 attempts/);
  });
});
