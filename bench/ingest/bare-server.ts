/**
 * The ceiling: a bare `node:http` server that reads the body, JSON.parse's it and answers like
 * Aether would (201 `{"id"}` for one trace, 207 with a result per item for a batch), storing nothing.
 * OTLP/HTTP `POST /v1/traces`: reads the body and answers 200 with an empty response, decoding nothing.
 * Run as a child process: `node --import tsx bench/ingest/bare-server.ts --port <port>`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url?.split('?')[0]?.replace(/\/$/, '');
  if (req.method === 'GET' && path === '/health/ready') return send(res, 200, { status: 'ready' });
  if (req.method === 'POST' && path === '/v1/traces') {
    // OTLP/HTTP: read the protobuf body and answer an empty ExportTraceServiceResponse (no decoding).
    for await (const _chunk of req);
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    return void res.end();
  }
  if (req.method !== 'POST' || (path !== '/api/v1/traces' && path !== '/api/v1/traces/batch')) {
    return send(res, 404, { error: { code: 'not_found', message: 'no route' } });
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return send(res, 400, { error: { code: 'invalid_json', message: 'body is not JSON' } });
  }
  if (path === '/api/v1/traces') return send(res, 201, { id: randomUUID() });
  const traces = (body as { traces?: unknown }).traces;
  if (!Array.isArray(traces)) return send(res, 400, { error: { code: 'validation_error', message: 'traces must be an array' } });
  const results = traces.map((_t, index) => ({ index, status: 201, id: randomUUID(), duplicate: false }));
  send(res, 207, { accepted: results.length, duplicates: 0, rejected: 0, results });
}

const portArg = process.argv.indexOf('--port');
const port = Number(portArg >= 0 ? process.argv[portArg + 1] : 0);
const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => send(res, 500, { error: { code: 'internal', message: String(e) } }));
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
