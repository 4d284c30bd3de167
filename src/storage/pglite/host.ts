import type { Worker } from 'node:worker_threads';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AetherError } from '../../core/errors.js';
import { spawnModuleThread } from '../../core/threads.js';

export interface EmbeddedEndpoint {
  /** Directory holding the Unix socket, as `pg` expects in `host`. */
  socketDir: string;
  port: number;
  /** The same database's background socket (same dir): its statements yield to the foreground's. */
  backgroundPort: number;
  /** True when this process started the database; false when it attached to a running one. */
  owner: boolean;
  close(): Promise<void>;
}

interface LockInfo {
  pid: number;
  socketDir: string;
}

const PORT = 5432;
const BACKGROUND_PORT = 5433;
const socketFile = (dir: string, port = PORT) => join(dir, `.s.PGSQL.${port}`);

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function spawnWorker(dataDir: string, socketDir: string): Worker {
  return spawnModuleThread(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url), {
    dataDir,
    socketPath: socketFile(socketDir),
    backgroundSocketPath: socketFile(socketDir, BACKGROUND_PORT),
  });
}

/**
 * Start PGlite for `dataDir` on a worker thread, or attach to the one another local process runs.
 * A lock file in the data dir makes sure only one process ever opens the files.
 */
export async function startEmbedded(dataDirInput: string): Promise<EmbeddedEndpoint> {
  const dataDir = resolve(dataDirInput);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockFile = join(dataDir, 'embedded.lock');

  for (let attempt = 0; attempt < 100; attempt++) {
    const existing = readLock(lockFile);
    if (existing && pidAlive(existing.pid) && existing.pid !== process.pid) {
      if (await canConnect(socketFile(existing.socketDir))) {
        return { socketDir: existing.socketDir, port: PORT, backgroundPort: BACKGROUND_PORT, owner: false, close: async () => {} };
      }
      await new Promise((r) => setTimeout(r, 100)); // the owner is still starting
      continue;
    }
    if (existing) rmSync(lockFile, { force: true }); // stale: its process is gone
    const socketDir = mkdtempSync(join(tmpdir(), 'aether-pg-'));
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx', 0o600);
    } catch {
      rmSync(socketDir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 50));
      continue; // another process took the lock first
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, socketDir } satisfies LockInfo));
    closeSync(fd);
    return await ownEmbedded(dataDir, socketDir, lockFile);
  }
  throw new AetherError(500, 'store_locked', `Could not open the embedded store in ${dataDir}: it stays locked`, {
    expose: true,
  });
}

async function ownEmbedded(dataDir: string, socketDir: string, lockFile: string): Promise<EmbeddedEndpoint> {
  const pgdata = join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const worker = spawnWorker(pgdata, socketDir);
  const cleanup = () => {
    rmSync(socketDir, { recursive: true, force: true });
    const held = readLock(lockFile);
    if (held?.pid === process.pid) rmSync(lockFile, { force: true });
  };
  await new Promise<void>((ok, fail) => {
    worker.once('error', (e) => {
      cleanup();
      fail(e);
    });
    worker.once('message', (m: { type: string; message?: string }) => {
      if (m.type === 'ready') ok();
      else {
        cleanup();
        fail(new AetherError(500, 'store_open_failed', `Embedded store failed to open: ${m.message}`, { expose: true }));
      }
    });
  });
  let closed = false;
  return {
    socketDir,
    port: PORT,
    backgroundPort: BACKGROUND_PORT,
    owner: true,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 5000);
        worker.once('message', () => {
          clearTimeout(timer);
          done();
        });
        worker.postMessage('close');
      });
      await worker.terminate();
      cleanup();
    },
  };
}
