// Runs PGlite on its own thread and serves it over the Postgres wire protocol on a Unix socket, so
// the main thread's event loop stays free while the database works, and the same `pg` driver code
// serves embedded and PostgreSQL modes alike.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { vector } from '@electric-sql/pglite-pgvector';

/** The socket server's query queue (not part of its typed API; see schedule). */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  /** When it was queued (ms since the epoch). */
  timestamp: number;
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

/** How long a background message may wait while foreground work keeps arriving (anti-starvation). */
const BACKGROUND_MAX_WAIT_MS = 200;
/**
 * While foreground statements keep arriving, background ones may use what the foreground leaves of
 * the database's time less BACKGROUND_HEADROOM, and never less than BACKGROUND_MIN_SHARE. Without a
 * cap they filled every gap between foreground statements, and on two cores those gaps are when the
 * API thread parses the next requests; with a fixed cap, scoring fell behind a steady load that
 * left the database mostly idle.
 */
const BACKGROUND_MIN_SHARE = 0.25;
const BACKGROUND_HEADROOM = 0.25;
/** The foreground counts as active this long after its last statement. */
const FOREGROUND_ACTIVE_MS = 50;
/** Background time (ms) that may run in one go once the foreground has been quiet. */
const BACKGROUND_BURST_MS = 20;
/** The window (ms, exponential) over which the foreground's share of the time is measured. */
const FOREGROUND_WINDOW_MS = 250;

/**
 * Background time credit: a token bucket refilled, while the foreground is active, at the share
 * the foreground leaves (see BACKGROUND_HEADROOM), and at full rate once it has been quiet for
 * FOREGROUND_ACTIVE_MS.
 */
class BackgroundBudget {
  private tokens = BACKGROUND_BURST_MS;
  private refilled: number;
  private lastForeground = Number.NEGATIVE_INFINITY;
  /** Foreground statement time, decayed over FOREGROUND_WINDOW_MS. */
  private busy = 0;
  private busyAt: number;
  constructor(private readonly now: () => number = performance.now.bind(performance)) {
    this.refilled = now();
    this.busyAt = this.refilled;
  }
  /** The background's refill rate while the foreground is active. */
  private share(t: number): number {
    this.busy *= Math.exp(-(t - this.busyAt) / FOREGROUND_WINDOW_MS);
    this.busyAt = t;
    return Math.max(BACKGROUND_MIN_SHARE, 1 - BACKGROUND_HEADROOM - this.busy / FOREGROUND_WINDOW_MS);
  }
  private refill(): { t: number; share: number } {
    const t = this.now();
    const share = this.share(t);
    const quietSince = this.lastForeground + FOREGROUND_ACTIVE_MS;
    // Active time refills at the share, time after the foreground went quiet at full rate.
    const activeEnd = Math.min(t, Math.max(this.refilled, quietSince));
    const gained = (activeEnd - this.refilled) * share + (t - activeEnd);
    this.tokens = Math.min(BACKGROUND_BURST_MS, this.tokens + gained);
    this.refilled = t;
    return { t, share };
  }
  /** 0 when a background statement may run now, else how many ms until it may. */
  waitMs(): number {
    const { t, share } = this.refill();
    if (this.tokens > 0) return 0;
    const active = t < this.lastForeground + FOREGROUND_ACTIVE_MS;
    return Math.ceil(active ? -this.tokens / share : -this.tokens) + 1;
  }
  /** A statement ran from `start` to now. */
  ran(background: boolean, start: number): void {
    const { t } = this.refill();
    if (background) this.tokens -= t - start;
    else {
      this.lastForeground = t;
      this.busy += t - start;
    }
  }
}

/**
 * The socket servers run the protocol messages of all connections one at a time, keeping one
 * connection's messages together only inside an explicit transaction. Between a connection's Parse
 * and its Bind another connection's Parse could run and replace the unnamed statement ("bind message
 * supplies 3 parameters, but prepared statement "" requires 1", or worse, a bind that fits). This
 * keeps a connection's messages together until its Sync as well, so several connections (the
 * scoring thread's, the CLI's) can share the store with the main one.
 *
 * It also orders them: a message from a background connection (the second socket: scoring, alert
 * rules, retention) runs only when no foreground message (ingestion, the gateway, the API) waits,
 * or once it has waited BACKGROUND_MAX_WAIT_MS, so scoring never delays an acknowledgement by more
 * than one of its statements and is never starved either; and while the foreground is busy,
 * background statements are paced to what it leaves (BackgroundBudget).
 */
const turn = () => new Promise<void>((r) => setImmediate(r));

function schedule(db: PGlite, q: QueryQueue, isBackground: (handlerId: number) => boolean, now: () => number = Date.now): void {
  let holder: number | null = null;
  const budget = new BackgroundBudget();
  let wake: NodeJS.Timeout | undefined;
  const pick = (): number => {
    const owner = holder ?? (db.isInTransaction() ? q.lastHandlerId : null);
    if (owner !== null) return q.queue.findIndex((m) => m.handlerId === owner);
    let firstBackground = -1;
    for (let i = 0; i < q.queue.length; i++) {
      if (!isBackground(q.queue[i]!.handlerId)) {
        if (firstBackground === -1) return i;
        return now() - q.queue[firstBackground]!.timestamp >= BACKGROUND_MAX_WAIT_MS ? firstBackground : i;
      }
      if (firstBackground === -1) firstBackground = i;
    }
    return firstBackground;
  };
  q.processQueue = async () => {
    if (q.processing) return;
    q.processing = true;
    while (q.queue.length > 0) {
      let at = pick();
      if (at === -1) break; // the owner's next message is on its way; it restarts the queue
      if (holder === null && !db.isInTransaction() && isBackground(q.queue[at]!.handlerId)) {
        // Statements run synchronously in WASM, so foreground messages that arrived meanwhile are
        // still unread on their sockets: let them in (socket read, then its setImmediate) first.
        await turn();
        await turn();
        at = pick();
        if (at === -1) break;
        const wait = isBackground(q.queue[at]!.handlerId) ? budget.waitMs() : 0;
        if (wait > 0) {
          // Over its share: foreground messages go first; with none, come back when the budget
          // allows (a foreground arrival restarts the queue sooner).
          at = q.queue.findIndex((m) => !isBackground(m.handlerId));
          if (at === -1) {
            wake ??= setTimeout(() => {
              wake = undefined;
              void q.processQueue();
            }, wait);
            break;
          }
        }
      }
      const item = q.queue.splice(at, 1)[0]!;
      holder = IN_SEQUENCE.has(item.message[0]!) ? item.handlerId : null;
      const background = isBackground(item.handlerId);
      const started = performance.now();
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
      budget.ran(background, started);
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
  /** The background socket: its connections yield to the foreground socket's. */
  backgroundSocketPath: string;
}

/** What the socket server keeps that the typed API does not show. */
interface ServerInternals {
  queryQueue: QueryQueue;
  handlers: Set<{ handlerId: number }>;
}

const { dataDir, socketPath, backgroundSocketPath } = workerData as WorkerInput;
const SHARED_BUFFERS = '64MB';
const port = parentPort;
if (!port) throw new Error('pglite worker must run in a worker thread');

try {
  // pgvector ships with PGlite; loading it here only makes `create extension vector` possible.
  // PGlite's default 128 MB buffer pool is resident as soon as it is used; 64 MB keeps the working
  // set of ingestion (recent table and index pages) while pages beyond it are re-read from the OS
  // page cache, which does not count against the process (bench:memory).
  const db = await PGlite.create(dataDir, {
    extensions: { vector },
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`],
  });
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 16 });
  const background = new PGLiteSocketServer({ db, path: backgroundSocketPath, maxConnections: 16 });
  // One queue for both sockets: the database runs one message at a time, in priority order.
  const fg = server as unknown as ServerInternals;
  const bg = background as unknown as ServerInternals;
  bg.queryQueue = fg.queryQueue;
  schedule(db, fg.queryQueue, (id) => {
    for (const h of bg.handlers) if (h.handlerId === id) return true;
    return false;
  });
  await server.start();
  await background.start();
  port.on('message', (msg: unknown) => {
    if (msg !== 'close') return;
    void (async () => {
      await background.stop().catch(() => {});
      await server.stop().catch(() => {});
      await db.close().catch(() => {});
      port.postMessage({ type: 'closed' });
    })();
  });
  port.postMessage({ type: 'ready' });
} catch (err) {
  port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
