// A local Slack-compatible incoming-webhook receiver: records posts, and fails on demand
// (500, 429, or a hang) for a number of requests.
import { createServer, type ServerResponse } from 'node:http';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  /** Successfully accepted posts. */
  posts: Received[];
  /** Every request, failed ones included. */
  requests: number;
  /** Fail the next `count` requests this way. */
  failNext(mode: '500' | '429' | 'hang', count: number): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let failMode: '500' | '429' | 'hang' = '500';
  let failLeft = 0;
  const hanging = new Set<ServerResponse>();
  const r: Receiver = {
    url: '',
    posts: [],
    requests: 0,
    failNext(mode, count) {
      failMode = mode;
      failLeft = count;
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      r.requests++;
      if (failLeft > 0) {
        failLeft--;
        if (failMode === 'hang') return void hanging.add(res);
        res.writeHead(failMode === '429' ? 429 : 500, { 'content-type': 'text/plain', ...(failMode === '429' ? { 'retry-after': '1' } : {}) });
        return void res.end(failMode === '429' ? 'rate_limited' : 'internal_error');
      }
      r.posts.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok'); // what Slack answers
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  r.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/services/T000/B000/XXXX`;
  r.close = async () => {
    for (const h of hanging) h.destroy();
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  };
  return r;
}
