// Ids are made on the client so a retried batch carries the same ids and the server stores each
// trace once (it answers `duplicate` for an id it already has).

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16));

// Random bytes are drawn in blocks: one getRandomValues() per id would cost more than the id.
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = POOL_SIZE;

interface CryptoLike {
  getRandomValues(array: Uint8Array): Uint8Array;
}

function refill(): void {
  pool = new Uint8Array(POOL_SIZE);
  const c = (globalThis as { crypto?: CryptoLike }).crypto;
  if (c && typeof c.getRandomValues === 'function') {
    c.getRandomValues(pool);
  } else {
    // Runtimes without Web Crypto: ids stay unique enough for tracing, not for secrets.
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = (Math.random() * 256) | 0;
  }
  offset = 0;
}

function hex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[pool[offset++]!]!;
  return s;
}

/** A UUIDv7 (time-ordered, so the server's index stays append-mostly). */
export function newTraceId(now: number = Date.now()): string {
  if (offset + 10 > POOL_SIZE) refill();
  const ms = now.toString(16).padStart(12, '0');
  const randA = HEX[(pool[offset++]! & 0x0f) | 0x70]! + HEX[pool[offset++]!]!;
  const randB = HEX[(pool[offset++]! & 0x3f) | 0x80]! + HEX[pool[offset++]!]!;
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-${randA}-${randB}-${hex(6)}`;
}

/**
 * Deterministic sampling from the trace id: FNV-1a, the same hash the server uses to sample
 * evaluations, so at equal rates every kept trace is also evaluated.
 */
export function sampled(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) {
    h ^= traceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000 < rate;
}
