// A local /v1/chat/completions that replays the recorded OpenAI SSE streams in shared/specs, and a
// client of the openai package's shape for when the package is not installed: its create() returns
// a Promise subclass that parses the body only when consumed (like openai's APIPromise) and, for
// streams, an async-iterable Stream decoding the SSE wire format.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listenLocal, readBody, type LocalServer } from './server.js';

export const FIXTURES = fileURLToPath(new URL('../../../../shared/specs/openai/fixtures/', import.meta.url));

/** The recorded chat streams, by the hash in their file name. */
export function streamFixtures(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(FIXTURES)) {
    const m = /^chat_stream_(\w+)\.sse$/.exec(f);
    if (m) out.set(m[1]!, readFileSync(FIXTURES + f, 'utf8'));
  }
  return out;
}

/** The JSON payloads of an SSE stream, up to [DONE]. */
export function sseEvents(text: string): unknown[] {
  const out: unknown[] = [];
  for (const block of text.split(/\n\n/)) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (!data) continue;
    if (data === '[DONE]') break;
    out.push(JSON.parse(data));
  }
  return out;
}

export interface OpenAIMock extends LocalServer {
  /** Bodies of the requests received, parsed. */
  requests: Array<Record<string, unknown>>;
}

/**
 * model `fixture:<hash>` streams that recording; a last user message containing FAIL gets a 400
 * in OpenAI's error format; anything else gets a completion answering "Echo: <message>".
 */
export async function startOpenAIMock(): Promise<OpenAIMock> {
  const fixtures = streamFixtures();
  const requests: Array<Record<string, unknown>> = [];
  const server = await listenLocal((req, res) => {
    void (async () => {
      const body = JSON.parse(await readBody(req)) as { model: string; stream?: boolean; messages: Array<{ role: string; content: string }> };
      requests.push(body as unknown as Record<string, unknown>);
      const last = body.messages.at(-1)?.content ?? '';
      if (last.includes('FAIL')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Invalid value for messages', type: 'invalid_request_error', param: 'messages', code: null } }));
        return;
      }
      const fixture = body.model.startsWith('fixture:') ? fixtures.get(body.model.slice(8)) : undefined;
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(fixture ?? '');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 1727346173,
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, message: { role: 'assistant', content: `Echo: ${last}`, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 },
        }),
      );
    })();
  });
  return { ...server, requests };
}

/** Like openai's APIPromise: nothing parses the body until someone consumes the result. */
class LazyApiPromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  private parsed: Promise<T> | undefined;
  private readonly responsePromise: Promise<Response>;
  private readonly parseBody: (r: Response) => Promise<T>;

  constructor(responsePromise: Promise<Response>, parseBody: (r: Response) => Promise<T>) {
    super((resolve) => resolve(undefined as T));
    this.responsePromise = responsePromise;
    this.parseBody = parseBody;
  }

  private parse(): Promise<T> {
    this.parsed ??= this.responsePromise.then((r) => this.parseBody(r));
    return this.parsed;
  }

  asResponse(): Promise<Response> {
    return this.responsePromise;
  }

  async withResponse(): Promise<{ data: T; response: Response }> {
    const [data, response] = await Promise.all([this.parse(), this.asResponse()]);
    return { data, response };
  }

  override then<A = T, B = never>(
    ok?: ((v: T) => A | PromiseLike<A>) | null,
    fail?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.parse().then(ok, fail);
  }

  override catch<B = never>(fail?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.parse().catch(fail);
  }

  override finally(f?: (() => void) | null): Promise<T> {
    return this.parse().finally(f);
  }
}

/** A Stream of chunks decoded from an SSE response, iterable once. */
class SseStream implements AsyncIterable<unknown> {
  constructor(private readonly response: Response) {}

  async *iterate(): AsyncGenerator<unknown> {
    yield* sseEvents(await this.response.text());
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return this.iterate();
  }
}

export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status} ${message}`);
    this.name = 'BadRequestError';
  }
}

/** The slice of the openai client the SDK instruments, speaking HTTP to `baseURL`. */
export class FakeOpenAI {
  readonly chat: { completions: { create: (params: Record<string, unknown>) => LazyApiPromise<unknown> } };

  constructor(opts: { apiKey: string; baseURL: string }) {
    const create = (params: Record<string, unknown>) => {
      const response = fetch(`${opts.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
        body: JSON.stringify(params),
      });
      return new LazyApiPromise<unknown>(response, async (r) => {
        if (r.status >= 400) {
          const e = (await r.json()) as { error: { message: string } };
          throw new FakeApiError(r.status, e.error.message);
        }
        return params.stream ? new SseStream(r) : r.json();
      });
    };
    this.chat = { completions: { create } };
  }
}
