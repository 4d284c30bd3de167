import type pg from 'pg';
/** Collects positional parameters while a query string is assembled. */
export class Params {
  readonly values: unknown[] = [];
  /** Add a value and return its placeholder (`$n`). */
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Escape LIKE wildcards so user text matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Run `fn` in one transaction on a client of its own: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    const out = await fn(c);
    await c.query('commit');
    return out;
  } catch (e) {
    await c.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

// Prepared statement names are chosen per connection: on the embedded store every socket
// connection shares one PostgreSQL session, so a name two connections both prepared would clash
// ("prepared statement already exists"); a per-connection suffix never does.
const connectionTags = new WeakMap<pg.PoolClient, string>();
let nextTag = 0;
const processTag = Math.random().toString(36).slice(2, 8);

/**
 * Run a hot statement as a prepared statement of the connection that runs it: parsed and planned
 * once per connection instead of on every call (for the large ingest statement, planning costs
 * more than executing a small batch).
 */
export async function preparedQuery<R extends pg.QueryResultRow>(pool: pg.Pool, key: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  const c = await pool.connect();
  try {
    let tag = connectionTags.get(c);
    if (tag === undefined) connectionTags.set(c, (tag = `${processTag}_${nextTag++}`));
    return await c.query<R>({ name: `aether_${key}_${tag}`, text, values });
  } finally {
    c.release();
  }
}
