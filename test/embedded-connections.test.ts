// Several `pg` connections on the embedded store's socket (the scoring thread's, the CLI's) must not
// interleave their extended-protocol messages: each Parse/Bind/Execute runs as one unit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/storage/index.js';
import { tempDir } from './helpers/stores.js';

describe('embedded store: several connections', () => {
  it('keeps each connection’s parameterised statements whole under concurrency', async () => {
    const t = tempDir();
    const store = await openStore({ dataDir: t.dir });
    const other = new pg.Pool({ host: store.endpoint!.socketDir, port: store.endpoint!.port, user: 'postgres', database: 'postgres', max: 1 });
    try {
      // Large parameters arrive in several socket reads; different parameter counts make a Bind
      // meant for one statement fail loudly on the other.
      const big = 'x'.repeat(300_000);
      const one = (i: number) => store.pool.query<{ n: number }>('select length($1::text) + $2::int + $3::int as n', [big, i, 1]);
      const two = (i: number) => other.query<{ n: number }>('select length($1::text) + $2::int as n', [big, i]);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => Promise.all([one(i), two(i)])));
      for (const [i, [a, b]] of results.entries()) {
        assert.equal(a.rows[0]!.n, big.length + i + 1);
        assert.equal(b.rows[0]!.n, big.length + i);
      }
    } finally {
      await other.end();
      await store.close();
      t.remove();
    }
  });
});
