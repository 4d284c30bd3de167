// Upgrading a database that holds evaluations from before they carried their trace's time: stale
// results under an older evaluator version are dropped (the newest per trace × metric stays), and
// the evaluation rollups move from the hour they were written to the hour of their trace.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createTestDatabase, skipWithoutPostgres, tempDir } from './helpers/stores.js';
import { MIGRATIONS_DIR, runMigrations } from '../src/storage/migrate.js';

const HOUR = 3_600_000;

describe('upgrade to evaluations by trace time', { skip: await skipWithoutPostgres() }, () => {
  it('keeps one result per metric and re-buckets the evaluation rollups by trace time', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const dir = tempDir();
    try {
      // The migrations as they were before this one.
      cpSync(MIGRATIONS_DIR, dir.dir, { recursive: true });
      const journal = JSON.parse(readFileSync(join(dir.dir, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
      const at = journal.entries.findIndex((e) => e.tag.endsWith('_eval_trace_time'));
      assert.ok(at > 0);
      journal.entries = journal.entries.slice(0, at);
      writeFileSync(join(dir.dir, 'meta/_journal.json'), JSON.stringify(journal));
      const client = await pool.connect();
      try {
        await migrate(drizzle(client), { migrationsFolder: dir.dir });
      } finally {
        client.release();
      }
      const traceAt = new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR + 7 * 60_000);
      await pool.query(`insert into organizations (id, name, slug) values ('o', 'o', 'o')`);
      await pool.query(`insert into projects (id, org_id, name, slug) values ('p', 'o', 'p', 'p')`);
      await pool.query(`insert into rag_traces (project_id, id, ts, query) values ('p', 't1', $1, 'q')`, [traceAt]);
      // An early export's not_applicable rows (evaluator version "1"), then the current ones.
      await pool.query(
        `insert into evaluations (id, project_id, trace_id, metric, metric_version, evaluator, score, label, created_at) values
           ('e1', 'p', 't1', 'faithfulness', '1', 'local', null, 'not_applicable', now() - interval '2 minutes'),
           ('e2', 'p', 't1', 'hallucination', 'from-1', 'local', null, 'not_applicable', now() - interval '2 minutes'),
           ('e3', 'p', 't1', 'faithfulness', 'local-3', 'local', 0.2, 'unsupported', now()),
           ('e4', 'p', 't1', 'hallucination', 'from-local-3', 'local', 1, 'hallucinated', now())`,
      );
      await pool.query(`select aether_rebuild_rollups('p')`);

      await runMigrations(pool);

      const rows = await pool.query<{ id: string; trace_ts: Date }>(`select id, trace_ts from evaluations order by id`);
      assert.deepEqual(rows.rows.map((r) => r.id), ['e3', 'e4'], 'the newest result per metric stays');
      for (const r of rows.rows) assert.equal(r.trace_ts.getTime(), traceAt.getTime());
      const hours = await pool.query<{ metric: string; bucket: Date; n: number; null_n: number }>(
        `select metric, bucket, n::int, null_n::int from eval_rollups where grain = 'hour' and (n <> 0 or null_n <> 0) order by metric`,
      );
      const hour = new Date(Math.floor(traceAt.getTime() / HOUR) * HOUR);
      assert.deepEqual(hours.rows.map((r) => [r.metric, r.bucket.getTime(), r.n, r.null_n]), [
        ['faithfulness', hour.getTime(), 1, 0],
        ['hallucination', hour.getTime(), 1, 0],
      ]);
      await assert.rejects(
        pool.query(`insert into evaluations (id, project_id, trace_id, metric, metric_version, evaluator, trace_ts) values ('e5', 'p', 't1', 'faithfulness', 'local-4', 'local', now())`),
        /evaluations_trace_metric_uq/,
        'a second row for the same trace × metric is refused',
      );
    } finally {
      await pool.end();
      dir.remove();
      await db.drop();
    }
  });
});
