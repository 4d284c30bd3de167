import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onCleanup } from '../lib/cleanup.js';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk, type Child } from '../lib/proc.js';
import type { Endpoint } from './load.js';

const run = promisify(execFile);

export interface Target extends Endpoint {
  startup_ms: number;
  child: Child;
  /** Aether on the embedded store: its data dir (the store can be attached through its lock file). */
  dataDir?: string;
}

/**
 * Env for Aether: the `npm start` row keeps every default (LOG_LEVEL info: one access-log line per
 * request, into the log file); the others LOG_LEVEL=warn; with PostgreSQL an explicit master key, as
 * a deployment would set.
 */
const aetherEnv = (postgres = false, defaults = false) =>
  cleanEnv({ ...(defaults ? {} : { LOG_LEVEL: 'warn' }), ...(postgres ? { AETHER_MASTER_KEY: randomBytes(32).toString('hex') } : {}) });

/** Wait for readiness (up to 3 min: start-up is slow on a loaded machine); returns the start-up time in ms. */
async function ready(url: string, child: Child, t0: number): Promise<number> {
  await waitForOk(`${url}/health/ready`, child, 180_000);
  return Date.now() - t0;
}

/** `aether_traces_ingested_total` from the server's Prometheus metrics. */
async function committedTraces(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('aether_traces_ingested_total '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/** The bare `node:http` server, in its own process. */
export async function startBare(root: string, logDir: string): Promise<Target> {
  const port = await freePort();
  const t0 = Date.now();
  const child = spawnNode(['--import', 'tsx', join(root, 'bench/ingest/bare-server.ts'), '--port', String(port)], {
    cwd: root,
    env: cleanEnv({}),
    logFile: join(logDir, 'bare.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, apiKey: 'unused', startup_ms: await ready(url, child, t0), child };
}

/**
 * `aether serve` on a fresh data dir: embedded PGlite, or PostgreSQL when `databaseUrl` is given.
 * `withWorker` keeps the in-process evaluation worker (the `npm start` default); without it the
 * process is an API server only, as in a production deployment with separate `aether worker`s.
 */
export async function startAether(root: string, logDir: string, name: string, databaseUrl?: string, withWorker = false): Promise<Target> {
  const dataDir = tempDir(`aether-bench-${name}-`);
  const port = await freePort();
  const db = databaseUrl ? ['--database-url', databaseUrl] : [];
  const t0 = Date.now();
  const child = spawnNode([join(root, 'bin/aether.js'), ...db, '--data-dir', dataDir, 'serve', '--port', String(port), ...(withWorker ? [] : ['--no-worker'])], {
    cwd: root,
    env: aetherEnv(databaseUrl !== undefined, withWorker),
    logFile: join(logDir, `${name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  const startup_ms = await ready(url, child, t0);
  const apiKey = databaseUrl
    ? await createKey(root, databaseUrl, dataDir)
    : (JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
  return { url, apiKey, startup_ms, child, committedTraces: () => committedTraces(url), ...(databaseUrl ? {} : { dataDir }) };
}

/** Create project `bench` and a key for it with the CLI (the server bootstraps only the embedded store). */
async function createKey(root: string, databaseUrl: string, dataDir: string): Promise<string> {
  const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(process.execPath, [join(root, 'bin/aether.js'), '--database-url', databaseUrl, '--data-dir', dataDir, '--json', ...args], {
      cwd: root,
      env: aetherEnv(),
    });
    return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)) as Record<string, unknown>;
  };
  await cli('projects', 'create', 'bench');
  const { key } = await cli('keys', 'create', '--project', 'bench');
  if (typeof key !== 'string') throw new Error('`aether keys create --json` printed no key');
  return key;
}

/** Create `aether_bench_<random>` on the server of `adminUrl`; it is dropped at cleanup. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `aether_bench_${randomBytes(6).toString('hex')}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  onCleanup(`drop database ${name}`, () =>
    admin(async (c) => {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
    }),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
