import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `event:` field, or undefined for the default `message` type. */
  event: string | undefined;
  data: string;
}

/**
 * Parse a Server-Sent Events byte stream (WHATWG rules): fields per line, `data` lines joined with
 * newlines, an empty line dispatches, lines starting with `:` are comments (OpenRouter's
 * `: OPENROUTER PROCESSING` keep-alives) and are skipped. Accepts \n, \r\n and \r line ends.
 */
export async function* parseSse(body: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  let event: string | undefined;
  let data: string[] = [];
  const take = function* (final: boolean): Generator<SseEvent> {
    let start = 0;
    for (;;) {
      let nl = -1;
      for (let i = start; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (c === 10 || c === 13) {
          nl = i;
          break;
        }
      }
      if (nl < 0) break;
      // A \r at the very end may be the first half of \r\n: wait for the next chunk unless final.
      if (buf.charCodeAt(nl) === 13 && nl === buf.length - 1 && !final) break;
      const line = buf.slice(start, nl);
      start = nl + (buf.charCodeAt(nl) === 13 && buf.charCodeAt(nl + 1) === 10 ? 2 : 1);
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = undefined;
        data = [];
        continue;
      }
      if (line.charCodeAt(0) === 58) continue; // ':' comment
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
    buf = buf.slice(start);
  };
  for await (const chunk of body) {
    buf += decoder.write(chunk);
    yield* take(false);
  }
  buf += decoder.end();
  if (buf.length && !/[\r\n]$/.test(buf)) buf += '\n';
  yield* take(true);
  if (data.length) yield { event, data: data.join('\n') };
}

/** One SSE record. */
export function sseFrame(data: string, event?: string): string {
  return event ? `event: ${event}\ndata: ${data}\n\n` : `data: ${data}\n\n`;
}
