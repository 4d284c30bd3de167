// A real Aether app (PGlite) listening on loopback for the SDK tests, plus small HTTP helpers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { storeCases } from '../../helpers/stores.js';
import type { Span as StoredSpan, Trace as StoredTrace } from '../../../src/core/schemas/trace.js';

export type { StoredSpan, StoredTrace };

/** A trace as GET /api/v1/traces/{id} returns it. */
export type FullTrace = StoredTrace & { spans: StoredSpan[]; evaluations: Array<{ metric: string; score: number | null }> };

export interface SdkServer {
  app: TestApp;
  url: string;
  key: string;
  /** GET /api/v1/traces/{id}: the stored trace, or undefined on 404. */
  get(id: string): Promise<FullTrace | undefined>;
  close(): Promise<void>;
}

/** Start the app on the embedded store and listen on a free loopback port. */
export async function startSdkServer(): Promise<SdkServer> {
  const app = await startTestApp(storeCases[0]!);
  const url = await app.aether.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    key: app.key,
    async get(id) {
      const r = await fetch(`${url}/api/v1/traces/${encodeURIComponent(id)}`, { headers: { 'x-api-key': app.key } });
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GET trace ${id}: ${r.status} ${await r.text()}`);
      return (await r.json()) as FullTrace;
    },
    close: () => app.close(),
  };
}

/** Total traces stored for the key's project. */
export async function countTraces(s: SdkServer): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
    const r = await fetch(`${s.url}/api/v1/traces?${q}`, { headers: { 'x-api-key': s.key } });
    const page = (await r.json()) as { data: unknown[]; next_cursor?: string | null };
    n += page.data.length;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return n;
}

export interface LocalServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port with the given handler. */
export async function listenLocal(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The whole request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Forward a request to `target` and return the upstream status, headers and body. */
export async function forward(req: IncomingMessage, body: string, target: string): Promise<{ status: number; body: string; type: string }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  const r = await fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body });
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? 'application/json' };
}

/** Poll `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
