// Fetching prompts from the Aether registry: a TTL cache, stale-while-revalidate, and the last
// good copy (or the caller's default) when the server cannot be reached.

export interface PromptMessage {
  role: string;
  content: string;
  name?: string;
}

export type PromptContent = string | PromptMessage[];

export interface PromptVariable {
  type: 'string' | 'number' | 'boolean' | 'json';
  default?: unknown;
  description?: string;
}

/** A prompt version as the server returns it. */
export interface PromptRecord {
  name: string;
  type: 'text' | 'chat';
  version: number;
  labels: string[];
  prompt: PromptContent;
  config: Record<string, unknown>;
  variables: Record<string, PromptVariable>;
  tags?: string[];
  commit_message?: string | null;
  created_at?: string;
}

/** Where a returned prompt came from. */
export type PromptSource = 'server' | 'cache' | 'stale' | 'fallback';

const VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

const show = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/** Fill `{{variables}}` (values, then declared defaults); throws naming every missing variable. */
export function compilePrompt(content: PromptContent, variables: Record<string, PromptVariable>, values: Record<string, unknown>): PromptContent {
  const texts = typeof content === 'string' ? [content] : content.map((m) => m.content);
  const missing: string[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(VAR)) {
      const name = m[1]!;
      const v = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : variables[name]?.default;
      if ((v === undefined || v === null) && !missing.includes(name)) missing.push(name);
    }
  }
  if (missing.length) throw new Error(`Cannot compile the prompt: missing variables: ${missing.join(', ')}`);
  const fill = (t: string) =>
    t.replace(VAR, (_m, name: string) => show(Object.prototype.hasOwnProperty.call(values, name) ? values[name] : variables[name]?.default));
  return typeof content === 'string' ? fill(content) : content.map((m) => ({ ...m, content: fill(m.content) }));
}

/** A fetched prompt version; `compile(vars)` renders it. */
export class Prompt {
  constructor(
    readonly record: PromptRecord,
    readonly source: PromptSource,
  ) {}
  get name(): string {
    return this.record.name;
  }
  get version(): number {
    return this.record.version;
  }
  get type(): 'text' | 'chat' {
    return this.record.type;
  }
  get config(): Record<string, unknown> {
    return this.record.config;
  }
  get labels(): string[] {
    return this.record.labels;
  }
  /** The prompt with its variables filled in (a string, or chat messages). */
  compile(values: Record<string, unknown> = {}): PromptContent {
    return compilePrompt(this.record.prompt, this.record.variables, values);
  }
}

export interface GetPromptOptions {
  /** Default `production` (unless `version` is given). */
  label?: string;
  version?: number;
  /** How long a fetched copy is served without asking the server; default 60 000. */
  cacheTtlMs?: number;
  /** Used when the server cannot answer and no copy was ever fetched. */
  fallback?: PromptContent | Partial<PromptRecord>;
}

type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

export interface PromptClientOptions {
  apiKey: string;
  /** Server root; default `http://127.0.0.1:8000`. */
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: Fetch;
  /** Told about every failed fetch (the client then serves a cached copy or the fallback). */
  onError?: (e: Error) => void;
}

interface Entry {
  record: PromptRecord;
  fetchedAt: number;
  ttl: number;
  /** Marked by `invalidate`: the next read waits for the server (falling back to this copy). */
  invalid: boolean;
  refreshing?: Promise<void> | undefined;
}

/** Thrown for answers that are not connectivity problems (unknown prompt, bad key). */
export class PromptFetchError extends Error {
  override name = 'PromptFetchError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Reads prompts from the registry with a per-client cache. */
export class PromptClient {
  private readonly cache = new Map<string, Entry>();
  private readonly baseUrl: string;
  private readonly doFetch: Fetch;

  constructor(private readonly opts: PromptClientOptions) {
    this.baseUrl = (opts.baseUrl ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
    this.doFetch = opts.fetch ?? (globalThis.fetch as unknown as Fetch);
  }

  /**
   * A prompt by label (default `production`) or version. A fresh cached copy is returned at once; an
   * expired one is returned too while a refresh runs in the background; with no copy the server is
   * asked, and when it cannot be reached the caller's `fallback` is used.
   */
  async getPrompt(name: string, o: GetPromptOptions = {}): Promise<Prompt> {
    const key = o.version !== undefined ? `${name}#${o.version}` : `${name}@${o.label ?? 'production'}`;
    const ttl = o.cacheTtlMs ?? 60_000;
    const e = this.cache.get(key);
    if (e && !e.invalid) {
      if (Date.now() - e.fetchedAt < ttl) return new Prompt(e.record, 'cache');
      e.refreshing ??= this.fetchInto(key, name, o, ttl)
        .catch((err: unknown) => this.opts.onError?.(err as Error))
        .finally(() => {
          e.refreshing = undefined;
        });
      return new Prompt(e.record, 'stale');
    }
    try {
      await this.fetchInto(key, name, o, ttl);
      return new Prompt(this.cache.get(key)!.record, 'server');
    } catch (err) {
      this.opts.onError?.(err as Error);
      if (e) return new Prompt(e.record, 'stale');
      if (o.fallback !== undefined) return new Prompt(fallbackRecord(name, o.fallback), 'fallback');
      throw err;
    }
  }

  /** Mark one prompt (every label and version of it) or all prompts stale: the next read asks the server. */
  invalidate(name?: string): void {
    for (const [k, e] of this.cache) if (name === undefined || k.startsWith(`${name}@`) || k.startsWith(`${name}#`)) e.invalid = true;
  }

  /**
   * The experiment variant for a user (or session): sticky, so call it per request without storing
   * it. Record `experiment_id` and `experiment_variant` in the trace's metadata.
   */
  async assignVariant(experimentId: string, unit: { userId?: string; sessionId?: string } = {}): Promise<{ experiment_id: string; status: string; variant: { name: string; prompt_version?: number; prompt_label?: string; model?: string; params?: Record<string, unknown> }; sticky: boolean }> {
    const res = await this.doFetch(`${this.baseUrl}/api/v1/experiments/${encodeURIComponent(experimentId)}/assign`, {
      method: 'POST',
      headers: { 'x-api-key': this.opts.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...(unit.userId ? { user_id: unit.userId } : {}), ...(unit.sessionId ? { session_id: unit.sessionId } : {}) }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new PromptFetchError(`assign answered ${res.status}: ${text.slice(0, 300)}`, res.status);
    return JSON.parse(text) as Awaited<ReturnType<PromptClient['assignVariant']>>;
  }

  private async fetchInto(key: string, name: string, o: GetPromptOptions, ttl: number): Promise<void> {
    const q = o.version !== undefined ? `version=${o.version}` : `label=${encodeURIComponent(o.label ?? 'production')}`;
    const res = await this.doFetch(`${this.baseUrl}/api/v1/prompts/${encodeURIComponent(name)}?${q}`, {
      method: 'GET',
      headers: { 'x-api-key': this.opts.apiKey, accept: 'application/json' },
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    });
    const text = await res.text();
    if (res.status !== 200) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new PromptFetchError(`GET prompt ${name} answered ${res.status}: ${message}`, res.status);
    }
    this.cache.set(key, { record: JSON.parse(text) as PromptRecord, fetchedAt: Date.now(), ttl, invalid: false });
  }
}

function fallbackRecord(name: string, f: PromptContent | Partial<PromptRecord>): PromptRecord {
  const full = typeof f === 'string' || Array.isArray(f) ? { prompt: f } : f;
  const prompt = full.prompt ?? '';
  return { name, type: typeof prompt === 'string' ? 'text' : 'chat', version: 0, labels: [], config: {}, variables: {}, ...full, prompt };
}

interface SubtleLike {
  importKey(format: 'raw', key: Uint8Array, alg: { name: string; hash: string }, extractable: boolean, usages: string[]): Promise<unknown>;
  sign(alg: string, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

async function hmacHex(secret: string, data: string): Promise<string> {
  let subtle = (globalThis as { crypto?: { subtle?: SubtleLike } }).crypto?.subtle;
  if (!subtle) subtle = ((await import('node:crypto')).webcrypto as unknown as { subtle: SubtleLike }).subtle;
  const enc = new TextEncoder();
  const key = await subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = new Uint8Array(await subtle.sign('HMAC', key, enc.encode(data)));
  return Array.from(sig, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Check an `x-aether-signature: t=<unix>,v1=<hex>` header against the raw body: the HMAC-SHA256 of
 * `"<t>.<body>"` must match and `t` be within `toleranceSec` (default 300) of now.
 */
export async function verifyWebhook(secret: string, header: string | null | undefined, body: string, o: { toleranceSec?: number; nowSec?: number } = {}): Promise<boolean> {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const sigs = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!Number.isInteger(t) || sigs.length === 0) return false;
  const now = o.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (o.toleranceSec ?? 300)) return false;
  const expected = await hmacHex(secret, `${t}.${body}`);
  return sigs.some((s) => sameText(s.toLowerCase(), expected));
}
