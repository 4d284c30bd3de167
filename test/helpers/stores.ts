// Opens each store kind for tests: embedded PGlite in a temp dir, and a uniquely named database on
// the real PostgreSQL. Without PostgreSQL a developer's run skips those cases; CI (CI=true) fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/storage/index.js';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function tempDir(prefix = 'aether-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let pgAvailable: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why it does not. */
export function postgresUnavailable(): Promise<string | undefined> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('select 1');
      return undefined;
    } catch (e) {
      return `PostgreSQL at ${PG_ADMIN_URL} is unreachable: ${(e as Error).message}`;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

/** Skip reason for PostgreSQL tests, or undefined to run them. Throws in CI when PostgreSQL is down. */
export async function skipWithoutPostgres(): Promise<string | false> {
  const why = await postgresUnavailable();
  if (!why) return false;
  if (inCI) throw new Error(`${why} (CI=true requires it)`);
  return why;
}

/** Create a fresh database; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `aether_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface StoreCase {
  kind: 'pglite' | 'postgres';
  /** Skip reason, or false. */
  skip: () => Promise<string | false>;
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

/** The store kinds every conformance test runs against. */
export const storeCases: StoreCase[] = [
  {
    kind: 'pglite',
    skip: async () => false,
    open: async () => {
      const t = tempDir();
      const store = await openStore({ dataDir: t.dir });
      return {
        store,
        cleanup: async () => {
          await store.close();
          t.remove();
        },
      };
    },
  },
  {
    kind: 'postgres',
    skip: skipWithoutPostgres,
    open: async () => {
      const db = await createTestDatabase();
      const t = tempDir();
      const store = await openStore({ databaseUrl: db.url, dataDir: t.dir });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await db.drop();
          t.remove();
        },
      };
    },
  },
];

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redisAvailable: Promise<string | undefined> | undefined;

/** Skip reason for Redis tests, or false to run them. Throws in CI when Redis is down. */
export async function skipWithoutRedis(): Promise<string | false> {
  redisAvailable ??= (async () => {
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      return undefined;
    } catch (e) {
      return `Redis at ${REDIS_URL} is unreachable: ${(e as Error).message}`;
    } finally {
      r.disconnect();
    }
  })();
  const why = await redisAvailable;
  if (!why) return false;
  if (inCI) throw new Error(`${why} (CI=true requires it)`);
  return why;
}
