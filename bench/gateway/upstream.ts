/**
 * The benchmark's mock upstream: an OpenAI /v1/chat/completions answering a fixed completion, or
 * (stream: true) the recorded "Foo!" stream from shared/specs, first record at once and the rest
 * 5 ms later, so time to first byte is measured apart from the whole body.
 * Run as a child process: `node --import tsx bench/gateway/upstream.ts --port <port>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../../../shared/specs/openai/fixtures/chat_stream_83b060bae42e.sse', import.meta.url));
const records = existsSync(fixture)
  ? readFileSync(fixture, 'utf8')
      .split(/\n\n/)
      .filter((r) => r.trim())
      .map((r) => `${r}\n\n`)
  : ['data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Foo!"},"finish_reason":"stop"}]}\n\n', 'data: [DONE]\n\n'];
const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1727346173,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris is the capital of France.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22 },
});

const portArg = process.argv.indexOf('--port');
const port = Number(portArg >= 0 ? process.argv[portArg + 1] : 0);
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
      res.end(completion);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(records[0]);
    setTimeout(() => res.end(records.slice(1).join('')), 5);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
