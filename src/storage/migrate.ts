import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

// Any constant works; it only has to be the same in every Aether process sharing a database.
const MIGRATION_LOCK = 7_411_992_001;

/** Number of migrations this build ships. */
export function expectedMigrations(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/**
 * Apply pending migrations. An advisory lock serialises processes that start together, so each
 * migration runs once; the others wait, then find nothing left to do.
 */
export async function runMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** How many migrations the database has applied (0 when none). */
export async function appliedMigrations(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ n: string }>(
    `select count(*)::text as n from information_schema.tables
      where table_schema = 'drizzle' and table_name = '__drizzle_migrations'`,
  );
  if (r.rows[0]?.n === '0') return 0;
  const c = await pool.query<{ n: string }>('select count(*)::text as n from drizzle.__drizzle_migrations');
  return Number(c.rows[0]?.n ?? 0);
}
