import { Worker } from 'node:worker_threads';

/**
 * Start `url` (an ES module of this package) on a worker thread. Under tsx (running from source)
 * the thread registers the TypeScript loader first; built code starts directly.
 */
export function spawnModuleThread(url: URL, workerData: unknown): Worker {
  if (url.pathname.endsWith('.ts')) {
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(url, { workerData });
}
