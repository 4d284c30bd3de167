import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup.js';

/** A fresh temp dir, removed at cleanup. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(`rm ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (!addr || typeof addr !== 'object') throw new Error('could not get a free port');
  return addr.port;
}

/** The environment for children: the caller's, minus anything that would reconfigure Aether. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AETHER_|DATABASE_|REDIS_URL$|LOG_LEVEL$)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface Child {
  proc: ChildProcess;
  logFile: string;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL if it has not exited within 20 s. Idempotent. */
  stop(): Promise<void>;
}

/** Spawn `node args…` with stdout and stderr appended to `logFile`; it is stopped at cleanup. */
export function spawnNode(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Child {
  const fd = openSync(opts.logFile, 'a');
  const proc = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = proc.exitCode !== null ? Promise.resolve() : once(proc, 'exit').then(() => undefined);
  const stop = onCleanup(`stop pid ${proc.pid}`, async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  });
  return {
    proc,
    logFile: opts.logFile,
    logTail(lines = 20) {
      try {
        return readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    stop,
  };
}

/** Poll `url` until it answers 200; fail if the child exits or `timeoutMs` passes. */
export async function waitForOk(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`process exited (${child.proc.exitCode ?? child.proc.signalCode}) before ${url} was ready:\n${child.logTail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last}):\n${child.logTail()}`);
}

/** Resident set size of a process (all its threads), in MiB, from /proc/<pid>/status (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
}
