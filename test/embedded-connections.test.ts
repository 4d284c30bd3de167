// Several `pg` connections on the embedded store's socket (the scoring thread's, the CLI's) must not
// interleave their extended-protocol messages: each Parse/Bind/Execute runs as one unit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../src/storage/index.js';
import { tempDir } from './helpers/stores.js';

/** A fresh embedded store and `n` warm background connections (the scoring thread's kind); closes both after `fn`. */
async function withBackground(n: number, fn: (store: Awaited<ReturnType<typeof openStore>>, background: pg.Pool) => Promise<void>): Promise<void> {
  const t = tempDir();
  const store = await openStore({ dataDir: t.dir });
  const e = store.endpoint!;
  const background = new pg.Pool({ host: e.socketDir, port: e.backgroundPort, user: 'postgres', database: 'postgres', max: n });
  try {
    await Promise.all(Array.from({ length: n }, () => background.query('select 1')));
    await fn(store, background);
  } finally {
    await background.end();
    await store.close();
    t.remove();
  }
}

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

  it('runs foreground statements before queued background ones, and background ones still run', async () => {
    // Ten background connections (the scoring thread's kind), each with a 50 ms statement queued.
    await withBackground(10, async (store, background) => {
      const t0 = Date.now();
      const slow = Array.from({ length: 10 }, () => background.query('select pg_sleep(0.05)').then(() => Date.now() - t0));
      await new Promise((r) => setTimeout(r, 20));
      const t1 = Date.now();
      await store.pool.query('select 1');
      const foreground = Date.now() - t1;
      const done = await Promise.all(slow);
      // In arrival order the foreground statement would wait for all ten (≥ 500 ms); first in
      // priority it waits at most for the one already running.
      assert.ok(foreground < 250, `foreground waited ${foreground} ms behind background work`);
      assert.ok(Math.max(...done) >= 500, 'every background statement ran');
    });
  });

  it('paces background work while foreground statements keep arriving, without starving it', async (ctx) => {
    await withBackground(4, async (store, background) => {
      // One foreground client (the API's kind) with short statements and short gaps between them,
      // beside four background clients (scoring's kind) with longer ones, for 1.5 s.
      const until = Date.now() + 1500;
      let fg = 0;
      let bg = 0;
      const foreground = (async () => {
        while (Date.now() < until) {
          await store.pool.query('select pg_sleep(0.002)');
          fg++;
        }
      })();
      const scoring = Array.from({ length: 4 }, async () => {
        while (Date.now() < until) {
          await background.query('select pg_sleep(0.01)');
          bg++;
        }
      });
      await Promise.all([foreground, ...scoring]);
      // Unpaced, background statements fill every gap between foreground ones (over half the time);
      // paced, they get about a quarter of the database's time while the foreground is active.
      const share = (bg * 10) / 1500;
      ctx.diagnostic(`background ${bg} × 10 ms (${(share * 100).toFixed(0)}% of the time), foreground ${fg} × 2 ms`);
      assert.ok(share <= 0.4, `background statements took ${(share * 100).toFixed(0)}% of the time (${bg} × 10 ms) beside ${fg} foreground ones`);
      assert.ok(bg >= 5, `background work starved: ${bg} statements in 1.5 s`);
    });
  });
});
