// Bounds checked on the raw bytes before an OTLP body is decoded. A 29 KB gzip body can inflate to
// 30 MB of `{"resourceSpans":[{},{},…]}` — ten million objects — and decoding that in one go held
// the event loop for 24 s. So the body is walked first, a slice at a time with a yield between
// slices, counting the objects (JSON) or messages (protobuf) it would become and their nesting.
// Only a body within the limits is decoded, and decoding a bounded body takes a bounded time.
import protobuf from 'protobufjs/light.js';
import { errors } from '../../core/errors.js';
import { exportRequestType } from './proto.js';

export const OTLP_LIMITS = {
  /** JSON objects and arrays, or protobuf messages, in one request (512 spans of 40 attributes are ~42,000). */
  elements: 100_000,
  /** Nesting of those. */
  depth: 64,
} as const;

/** Bytes walked between two yields to the event loop. */
const SLICE = 1 << 20;

const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

/** Yields to the event loop once `every` ticks or 20 ms have passed, whichever comes first. */
export class Pacer {
  private n = 0;
  private since = performance.now();
  constructor(private readonly every = 256) {}
  async tick(): Promise<void> {
    if (++this.n < this.every && performance.now() - this.since < 20) return;
    await yieldLoop();
    this.n = 0;
    this.since = performance.now();
  }
}

function tooMany(what: string): never {
  throw errors.tooLarge(`The OTLP request holds more than ${OTLP_LIMITS.elements} ${what}; export fewer spans per request`);
}
function tooDeep(): never {
  throw errors.badRequest(`The OTLP request nests deeper than ${OTLP_LIMITS.depth} levels`, 'invalid_otlp');
}

/** Count JSON objects and arrays outside strings, with their depth; throws past the limits. */
export async function checkJsonBounds(body: Uint8Array): Promise<void> {
  let elements = 0;
  let depth = 0;
  let inString = false;
  for (let start = 0; start < body.length; start += SLICE) {
    if (start > 0) await yieldLoop();
    const end = Math.min(body.length, start + SLICE);
    for (let i = start; i < end; i++) {
      const b = body[i]!;
      if (inString) {
        if (b === 0x5c) i++; // backslash: skip the escaped byte
        else if (b === 0x22) inString = false;
      } else if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) {
        if (++elements > OTLP_LIMITS.elements) tooMany('JSON objects and arrays');
        if (++depth > OTLP_LIMITS.depth) tooDeep();
      } else if (b === 0x7d || b === 0x5d) depth--;
    }
  }
}

/** Wire data the walk cannot follow: left for the decoder to report properly. */
class Malformed extends Error {}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Malformed('truncated varint');
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
  throw new Malformed('varint too long');
}

/** Walk protobuf messages by the schema, counting them; malformed wire data is left to the decoder. */
export async function checkProtobufBounds(body: Uint8Array): Promise<void> {
  const stack: Array<{ type: protobuf.Type; end: number }> = [{ type: exportRequestType(), end: body.length }];
  let elements = 0;
  let pos = 0;
  let nextYield = SLICE;
  try {
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (pos >= top.end) {
        stack.pop();
        continue;
      }
      if (pos >= nextYield) {
        await yieldLoop();
        nextYield = pos + SLICE;
      }
      const [tag, p] = readVarint(body, pos);
      pos = p;
      const wire = tag & 7;
      if (wire === 0) pos = readVarint(body, pos)[1];
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const [len, q] = readVarint(body, pos);
        pos = q;
        const field = top.type.fieldsById[Math.floor(tag / 8)];
        if (field?.resolvedType instanceof protobuf.Type) {
          if (++elements > OTLP_LIMITS.elements) tooMany('protobuf messages');
          if (stack.length >= OTLP_LIMITS.depth) tooDeep();
          stack.push({ type: field.resolvedType, end: Math.min(pos + len, top.end) });
        } else pos += len;
      } else return; // groups or garbage: the decoder reports it
    }
  } catch (e) {
    if (!(e instanceof Malformed)) throw e;
  }
}
