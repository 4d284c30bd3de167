// A trace answered 2xx survives SIGKILL of the server, on PGlite and on PostgreSQL; SIGTERM drains.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, skipWithoutPostgres, tempDir } from './helpers/stores.js';
import { runCli, startServer } from './helpers/process.js';
import { seedTrace } from './helpers/fixtures.js';

async function sendTraces(url: string, key: string, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = `${prefix}-${i}`;
      const r = await fetch(`${url}/api/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ ...seedTrace(), id }),
      });
      if (r.status === 201) ids.push(id);
    }),
  );
  const batch = await fetch(`${url}/api/v1/traces/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ traces: Array.from({ length: 200 }, (_, i) => ({ ...seedTrace(), id: `${prefix}-b${i}` })) }),
  });
  if (batch.status === 207) ids.push(...Array.from({ length: 200 }, (_, i) => `${prefix}-b${i}`));
  return ids;
}

async function countPresent(url: string, key: string, ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) {
    const r = await fetch(`${url}/api/v1/traces/${id}`, { headers: { 'x-api-key': key } });
    if (r.status === 200) n++;
  }
  return n;
}

describe('embedded PGlite: first start, SIGKILL, restart', () => {
  const t = tempDir();
  after(() => t.remove());

  it('creates credentials.json (0600) on first start and keeps every acknowledged trace after SIGKILL', async () => {
    const s1 = await startServer(['--data-dir', t.dir]);
    const credsFile = join(t.dir, 'credentials.json');
    const creds = JSON.parse(readFileSync(credsFile, 'utf8')) as { project_id: string; api_key: string };
    assert.equal(statSync(credsFile).mode & 0o777, 0o600);
    assert.match(creds.api_key, /^ae_/);
    assert.match(s1.output(), new RegExp(creds.api_key), 'the key is printed on first start');
    assert.equal(statSync(join(t.dir, 'master.key')).mode & 0o777, 0o600);

    const ids = await sendTraces(s1.url, creds.api_key, 150, 'kill');
    assert.equal(ids.length, 350);
    s1.child.kill('SIGKILL');
    await s1.exited;

    const s2 = await startServer(['--data-dir', t.dir]);
    try {
      assert.doesNotMatch(s2.output(), /First start/, 'a restart does not create new credentials');
      assert.equal(await countPresent(s2.url, creds.api_key, ids), ids.length);
    } finally {
      s2.child.kill('SIGTERM');
      assert.equal(await s2.exited, 0, 'SIGTERM shuts down cleanly');
    }
    assert.equal(existsSync(join(t.dir, 'embedded.lock')), false, 'a clean shutdown releases the store lock');
  });
});

describe('PostgreSQL: SIGKILL and restart', { skip: await skipWithoutPostgres() }, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const t = tempDir();
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.drop();
    t.remove();
  });

  it('keeps every acknowledged trace', async () => {
    const env = { DATABASE_URL: db.url, AETHER_DATA_DIR: t.dir };
    assert.equal(runCli(['migrate'], env).status, 0);
    assert.equal(runCli(['projects', 'create', 'durable'], env).status, 0);
    const k = runCli(['--json', 'keys', 'create', '--project', 'durable'], env);
    assert.equal(k.status, 0, k.stderr);
    const key = (JSON.parse(k.stdout) as { key: string }).key;

    const s1 = await startServer([], env);
    const ids = await sendTraces(s1.url, key, 150, 'pgkill');
    assert.equal(ids.length, 350);
    s1.child.kill('SIGKILL');
    await s1.exited;
    const s2 = await startServer([], env);
    try {
      assert.equal(await countPresent(s2.url, key, ids), ids.length);
    } finally {
      s2.child.kill('SIGTERM');
      await s2.exited;
    }
  });
});
