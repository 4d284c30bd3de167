import pg from 'pg';

/** Cross-process change notices: PostgreSQL LISTEN/NOTIFY, or in-process delivery on the embedded store. */
export interface ChangeBus {
  /** Tell every process (this one included) about a change. */
  publish(message: string): Promise<void>;
  /** Called with each message; `onReset` when notices may have been missed (reconnect). */
  subscribe(onMessage: (message: string) => void, onReset?: () => void): void;
  close(): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A bus on one channel name. On PostgreSQL a dedicated connection LISTENs and reconnects with
 * backoff (calling `onReset`, since notices sent while it was down are lost); the embedded store
 * serves one process, so messages are delivered locally.
 */
export function createChangeBus(store: { kind: 'pglite' | 'postgres'; pool: pg.Pool }, channel: string, onError: (e: unknown) => void = () => {}): ChangeBus {
  if (!IDENT.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const handlers: Array<{ onMessage: (m: string) => void; onReset?: (() => void) | undefined }> = [];
  const local = (m: string) => handlers.forEach((h) => h.onMessage(m));
  if (store.kind !== 'postgres') {
    return {
      async publish(m) {
        queueMicrotask(() => local(m));
      },
      subscribe(onMessage, onReset) {
        handlers.push({ onMessage, onReset });
      },
      async close() {
        handlers.length = 0;
      },
    };
  }

  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 200;
  let timer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client(store.pool.options);
    c.on('notification', (n) => {
      if (n.channel === channel) local(n.payload ?? '');
    });
    c.on('error', (e) => {
      onError(e);
      if (client === c) {
        client = undefined;
        schedule();
      }
      void c.end().catch(() => undefined);
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
      client = c;
      retryMs = 200;
      handlers.forEach((h) => h.onReset?.());
    } catch (e) {
      onError(e);
      await c.end().catch(() => undefined);
      schedule();
    }
  }
  function schedule(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  }

  let started: Promise<void> | undefined;
  return {
    async publish(m) {
      await store.pool.query('select pg_notify($1, $2)', [channel, m]);
    },
    subscribe(onMessage, onReset) {
      handlers.push({ onMessage, onReset });
      started ??= connect();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await started;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
