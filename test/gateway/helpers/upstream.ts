// A local upstream on 127.0.0.1 speaking the real wire formats: OpenAI at /v1/chat/completions and
// /v1/embeddings, Anthropic Messages at /v1/messages, OpenRouter at /api/v1/chat/completions (with
// its `: OPENROUTER PROCESSING` comments and usage.cost). Streams replay the recorded fixtures in
// shared/specs record by record. Failures are scripted per request, per API key or per model.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ANTHROPIC, OPENAI, anthropicMessage, openAICompletion, records } from './fixtures.js';

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number }
  | { kind: 'midstream-error'; after: number }
  | { kind: 'midstream-drop'; after: number }
  | { kind: 'hang'; after: number }
  | { kind: 'no-usage' }
  /** An OpenAI-compatible server that ignores `encoding_format` and always answers floats. */
  | { kind: 'floats-only' };

export interface Call {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Set when the gateway closed the connection before the answer ended. */
  aborted: boolean;
}

export interface Upstream {
  url: string;
  calls: Call[];
  /** Behaviours for the next requests, in order (then `byModel`, then ok). */
  script: Behaviour[];
  /** Behaviour for every request for a model. */
  byModel: Map<string, Behaviour>;
  /** Behaviour for every request made with an API key (bearer token or x-api-key); wins over byModel. */
  byKey: Map<string, Behaviour>;
  /** Pause between streamed records (ms). */
  gapMs: number;
  reset(): void;
  close(): Promise<void>;
}

/** The vector the mock upstream answers for one input. */
export const embeddingOf = (s: string): number[] => Array.from({ length: 4 }, (_, i) => (s.length + i) / 10);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(anthropic: boolean, status: number, message: string): unknown {
  if (anthropic) return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error', message } };
  return { error: { message, type: status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

function midstreamError(kind: 'openai' | 'anthropic' | 'openrouter'): string {
  if (kind === 'anthropic') return 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
  if (kind === 'openrouter') {
    return 'data: {"id":"gen-1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o","provider":"openai","error":{"code":"server_error","message":"Provider disconnected unexpectedly"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}\n\n';
  }
  return 'data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}\n\n';
}

/** Start the mock upstream on an ephemeral loopback port. */
export async function startUpstream(): Promise<Upstream> {
  const sockets = new Set<import('node:net').Socket>();
  const state: Upstream = { url: '', calls: [], script: [], byModel: new Map(), byKey: new Map(), gapMs: 0, reset: () => undefined, close: async () => undefined };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const path = (req.url ?? '').split('?')[0]!;
    const call: Call = { path, headers: req.headers, body, aborted: false };
    state.calls.push(call);
    res.on('close', () => {
      if (!res.writableFinished) call.aborted = true;
    });
    const kind = path === '/v1/messages' ? 'anthropic' : path.startsWith('/api/') ? 'openrouter' : 'openai';
    const key = String(req.headers['x-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer /, '');
    const b = state.script.shift() ?? state.byKey.get(key) ?? state.byModel.get(String(body.model)) ?? { kind: 'ok' };
    if (b.kind === 'reset') return void req.socket.destroy();
    if (b.kind === 'status') {
      return json(res, b.status, errorBody(kind === 'anthropic', b.status, b.message ?? `mock ${b.status}`), b.retryAfter ? { 'retry-after': b.retryAfter } : {});
    }
    if (b.kind === 'slow') await sleep(b.ms);
    if (path.endsWith('/embeddings')) {
      const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
      // Like OpenAI: base64 of little-endian float32 when asked for it.
      const b64 = body.encoding_format === 'base64' && b.kind !== 'floats-only';
      const data = input.map((s, index) => {
        const v = embeddingOf(s);
        return { object: 'embedding', index, embedding: b64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v };
      });
      return json(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: 8 * input.length, total_tokens: 8 * input.length } });
    }
    const tools = Array.isArray(body.tools) && body.tools.length > 0;
    const fixture = kind === 'anthropic' ? (tools ? ANTHROPIC.tools : ANTHROPIC.text) : tools ? OPENAI.tools : OPENAI.text;
    if (body.stream !== true) {
      if (kind === 'anthropic') return json(res, 200, anthropicMessage(fixture));
      const c = openAICompletion(fixture);
      if (kind === 'openrouter') (c.usage as Record<string, unknown>).cost = 0.00042;
      return json(res, 200, c);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const wantUsage = kind !== 'openai' || (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    let recs = records(fixture);
    if (kind !== 'anthropic' && (!wantUsage || b.kind === 'no-usage')) recs = recs.filter((r) => !r.includes('"choices":[],"usage"'));
    if (kind === 'openrouter') recs = [': OPENROUTER PROCESSING\n\n', ...recs.map((r) => r.replace('"choices":[],"usage":{', '"choices":[],"usage":{"cost":0.00042,'))];
    for (let i = 0; i < recs.length; i++) {
      if (res.destroyed) return;
      if ((b.kind === 'midstream-error' || b.kind === 'midstream-drop' || b.kind === 'hang') && i === b.after) {
        if (b.kind === 'midstream-drop') {
          await sleep(20); // let what was written reach the client first
          return void req.socket.destroy();
        }
        if (b.kind === 'hang') return; // keep the connection open, send nothing more
        res.end(midstreamError(kind));
        return;
      }
      res.write(recs[i]);
      if (state.gapMs) await sleep(state.gapMs);
    }
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { message: String(e) } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  state.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  state.reset = () => {
    state.calls.length = 0;
    state.script.length = 0;
    state.byModel.clear();
    state.byKey.clear();
    state.gapMs = 0;
  };
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return state;
}

/** Environment pointing every built-in provider at the mock upstream. */
export function upstreamEnv(u: Upstream, gatewayConfig?: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${u.url}/v1`,
    OPENAI_API_KEY: 'sk-test-openai',
    ANTHROPIC_BASE_URL: u.url,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    OPENROUTER_BASE_URL: `${u.url}/api/v1`,
    OPENROUTER_API_KEY: 'sk-or-test',
    AETHER_WORKER: 'false',
    ...(gatewayConfig ? { AETHER_GATEWAY_CONFIG: gatewayConfig } : {}),
  };
}
