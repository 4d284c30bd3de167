// Runs PGlite on its own thread and serves it over the Postgres wire protocol on a Unix socket, so
// the main thread's event loop stays free while the database works, and the same `pg` driver code
// serves embedded and PostgreSQL modes alike.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

interface WorkerInput {
  dataDir: string;
  socketPath: string;
}

const { dataDir, socketPath } = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('pglite worker must run in a worker thread');

try {
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 16 });
  await server.start();
  port.on('message', (msg: unknown) => {
    if (msg !== 'close') return;
    void (async () => {
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
      port.postMessage({ type: 'closed' });
    })();
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
