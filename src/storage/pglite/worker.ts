// Runs PGlite on its own thread and serves it over the Postgres wire protocol on a Unix socket, so
// the main thread's event loop stays free while the database works, and the same `pg` driver code
// serves embedded and PostgreSQL modes alike.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { vector } from '@electric-sql/pglite-pgvector';

/** The socket server's query queue (not part of its typed API; see serializeSequences). */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(e: unknown): void;
  onData(data: Uint8Array): void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

// Extended-protocol messages (Parse, Bind, Describe, Execute, Close, Flush): until the Sync that
// ends them, the unnamed statement and portal they build belong to one connection.
const IN_SEQUENCE = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

/**
 * The socket server runs the protocol messages of all connections one at a time, keeping one
 * connection's messages together only inside an explicit transaction. Between a connection's Parse
 * and its Bind another connection's Parse could run and replace the unnamed statement ("bind message
 * supplies 3 parameters, but prepared statement "" requires 1", or worse, a bind that fits). This
 * keeps a connection's messages together until its Sync as well, so several connections (the
 * scoring thread's, the CLI's) can share the store with the main one.
 */
function serializeSequences(db: PGlite, q: QueryQueue): void {
  let holder: number | null = null;
  q.processQueue = async () => {
    if (q.processing) return;
    q.processing = true;
    while (q.queue.length > 0) {
      const owner = holder ?? (db.isInTransaction() ? q.lastHandlerId : null);
      const at = owner === null ? 0 : q.queue.findIndex((m) => m.handlerId === owner);
      if (at === -1) break; // the owner's next message is on its way; it restarts the queue
      const item = q.queue.splice(at, 1)[0]!;
      holder = IN_SEQUENCE.has(item.message[0]!) ? item.handlerId : null;
      let bytes = 0;
      try {
        await db.runExclusive(() =>
          db.execProtocolRawStream(item.message, {
            onRawData: (d) => {
              bytes += d.length;
              item.onData(d);
            },
          }),
        );
        q.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      } catch (e) {
        item.reject(e);
      }
    }
    q.processing = false;
  };
  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (handlerId) => {
    if (holder === handlerId) holder = null;
    clear(handlerId);
    void q.processQueue();
  };
}

interface WorkerInput {
  dataDir: string;
  socketPath: string;
}

const { dataDir, socketPath } = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('pglite worker must run in a worker thread');

try {
  // pgvector ships with PGlite; loading it here only makes `create extension vector` possible.
  const db = await PGlite.create(dataDir, { extensions: { vector } });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 16 });
  serializeSequences(db, (server as unknown as { queryQueue: QueryQueue }).queryQueue);
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
