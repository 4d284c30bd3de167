// The `aether` command: admin operations, key lifecycle against a running server, config errors.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './helpers/stores.js';
import { runCli, startServer } from './helpers/process.js';

describe('aether CLI', () => {
  const t = tempDir();
  after(() => t.remove());

  it('stops with a message naming the bad variable', () => {
    const r = runCli(['serve'], { AETHER_PORT: 'eighty', AETHER_DATA_DIR: t.dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /AETHER_PORT/);
    const u = runCli(['projects', 'list'], { DATABASE_URL: 'mysql://x', AETHER_DATA_DIR: t.dir });
    assert.equal(u.status, 1);
    assert.match(u.stderr, /DATABASE_URL: must be a postgres/);
  });

  it('has --help on every command', () => {
    for (const args of [['--help'], ['keys', '--help'], ['keys', 'create', '--help'], ['projects', '--help'], ['serve', '--help']]) {
      const r = runCli(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.match(r.stdout, /Usage: aether/);
    }
  });

  it('manages projects and keys while the server runs on the same embedded store', async () => {
    const env = { AETHER_DATA_DIR: t.dir };
    const server = await startServer([], env);
    try {
      const p = runCli(['--json', 'projects', 'create', 'Checkout Bot'], env);
      assert.equal(p.status, 0, p.stderr);
      assert.equal((JSON.parse(p.stdout) as { slug: string }).slug, 'checkout-bot');
      const list = runCli(['projects', 'list'], env);
      assert.match(list.stdout, /default/);
      assert.match(list.stdout, /checkout-bot/);

      const k = runCli(['--json', 'keys', 'create', '--project', 'checkout-bot', '--name', 'ci'], env);
      assert.equal(k.status, 0, k.stderr);
      const { key, id } = JSON.parse(k.stdout) as { key: string; id: string };
      const who = await fetch(`${server.url}/api/v1/project`, { headers: { 'x-api-key': key } });
      assert.equal(((await who.json()) as { slug: string }).slug, 'checkout-bot');

      const keys = runCli(['keys', 'list', '--project', 'checkout-bot'], env);
      assert.match(keys.stdout, new RegExp(id));
      assert.ok(!keys.stdout.includes(key), 'keys list never prints a secret');

      assert.equal(runCli(['keys', 'revoke', id], env).status, 0);
      const deadline = Date.now() + 5000;
      let status = 200;
      while (Date.now() < deadline && status !== 401) {
        status = (await fetch(`${server.url}/api/v1/project`, { headers: { 'x-api-key': key } })).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(status, 401, 'a revoked key stops working within the key cache time');
      const missing = runCli(['keys', 'create', '--project', 'nope'], env);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /No project "nope"/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('refuses to start a second server on the same data dir', async () => {
    const env = { AETHER_DATA_DIR: t.dir };
    const first = await startServer([], env);
    try {
      const second = runCli(['serve', '--port', '0'], env);
      assert.equal(second.status, 1);
      assert.match(second.stderr, /already serves the data dir/);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});
