// Places a faithfulness evaluation's claims on the response text, so the unsupported statements can
// be highlighted. Offsets (start/end) are used when they are present and agree with the text;
// otherwise the claim's text is searched for: exactly, then ignoring case, then ignoring runs of
// whitespace and case. Pure: no DOM, tested with node:test.

export interface Claim {
  text: string;
  supported: boolean;
  reason?: string | null;
  start?: number | null;
  end?: number | null;
}

export interface Located {
  /** index of the claim in the input array */
  claim: number;
  start: number;
  end: number;
  /** how it was found */
  by: 'offsets' | 'exact' | 'case' | 'fuzzy';
}

export interface Segment {
  text: string;
  /** index of the claim this segment highlights, or undefined for plain text */
  claim?: number;
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Find `needle` in `hay` ignoring case and collapsing whitespace; returns offsets into `hay`.
 * Builds a normalized copy of `hay` with a map back to original offsets.
 */
export function fuzzyFind(hay: string, needle: string, from = 0): { start: number; end: number } | undefined {
  const n = norm(needle);
  if (!n) return undefined;
  let out = '';
  const map: number[] = [];
  let prevSpace = true;
  for (let i = from; i < hay.length; i++) {
    const ch = hay[i]!;
    if (/\s/.test(ch)) {
      if (!prevSpace) {
        out += ' ';
        map.push(i);
      }
      prevSpace = true;
    } else {
      out += ch.toLowerCase();
      map.push(i);
      prevSpace = false;
    }
  }
  const at = out.indexOf(n);
  if (at < 0) return undefined;
  const start = map[at]!;
  const end = map[at + n.length - 1]! + 1;
  return { start, end };
}

/** Where each claim sits in `response`; claims that cannot be found are left out. */
export function locateClaims(response: string, claims: Claim[], onlyUnsupported = true): Located[] {
  const found: Located[] = [];
  const used: Array<[number, number]> = [];
  const overlaps = (s: number, e: number) => used.some(([a, b]) => s < b && e > a);
  claims.forEach((c, i) => {
    if (onlyUnsupported && c.supported) return;
    const text = c.text ?? '';
    let loc: Located | undefined;
    if (isInt(c.start) && isInt(c.end) && c.start >= 0 && c.end > c.start && c.end <= response.length) {
      const slice = response.slice(c.start, c.end);
      // Offsets are trusted when they cover the claim's text (or the claim carries no text).
      if (!text || slice === text || norm(slice) === norm(text) || norm(slice).includes(norm(text))) loc = { claim: i, start: c.start, end: c.end, by: 'offsets' };
    }
    if (!loc && text) {
      // Prefer an occurrence not already highlighted (the same sentence can appear twice).
      const tries: Array<[Located['by'], (from: number) => { start: number; end: number } | undefined]> = [
        ['exact', (from) => { const a = response.indexOf(text, from); return a < 0 ? undefined : { start: a, end: a + text.length }; }],
        ['case', (from) => { const a = response.toLowerCase().indexOf(text.toLowerCase(), from); return a < 0 ? undefined : { start: a, end: a + text.length }; }],
        ['fuzzy', (from) => fuzzyFind(response, text, from)],
      ];
      for (const [by, find] of tries) {
        let from = 0;
        let hit = find(from);
        while (hit && overlaps(hit.start, hit.end)) {
          from = hit.start + 1;
          hit = find(from);
        }
        if (hit) {
          loc = { claim: i, start: hit.start, end: hit.end, by };
          break;
        }
      }
    }
    if (loc && !overlaps(loc.start, loc.end)) {
      found.push(loc);
      used.push([loc.start, loc.end]);
    }
  });
  return found.sort((a, b) => a.start - b.start);
}

/** Split `response` into plain and highlighted segments, in order; concatenated they give the response back. */
export function segmentResponse(response: string, claims: Claim[], onlyUnsupported = true): Segment[] {
  const locs = locateClaims(response, claims, onlyUnsupported);
  const out: Segment[] = [];
  let at = 0;
  for (const l of locs) {
    if (l.start > at) out.push({ text: response.slice(at, l.start) });
    out.push({ text: response.slice(l.start, l.end), claim: l.claim });
    at = l.end;
  }
  if (at < response.length || out.length === 0) out.push({ text: response.slice(at) });
  return out;
}

/** The claims array of a faithfulness evaluation's details, validated loosely. */
export function claimsOf(details: unknown): Claim[] {
  const raw = (details as { claims?: unknown } | null)?.claims;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object')
    .map((c) => ({
      text: typeof c.text === 'string' ? c.text : '',
      supported: c.supported === true,
      reason: typeof c.reason === 'string' ? c.reason : null,
      start: isInt(c.start) ? c.start : null,
      end: isInt(c.end) ? c.end : null,
    }));
}
