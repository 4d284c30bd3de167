/**
 * The ceiling of any gateway written in Node: a node:http server that forwards each request's bytes
 * to the upstream over a keep-alive agent and pipes the answer back (no parsing, no validation, no
 * tracing). Run as a child process: `node --import tsx bench/gateway/proxy.ts --port <p> --upstream <url>`.
 */
import { Agent, createServer, request } from 'node:http';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg('--port') ?? 0);
const upstream = new URL(arg('--upstream') ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.end('ok');
    return;
  }
  const out = request(
    { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: req.headers.authorization ?? '' }, agent },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  out.on('error', (e) => {
    res.writeHead(502).end(e.message);
  });
  req.pipe(out);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
