// The dashboard's HTTP client: session cookie + X-Aether-Project on every call, X-CSRF-Token on
// mutations, `{error:{code,message,details}}` bodies turned into ApiError. For development without
// the session routes, a key in sessionStorage["aether.devKey"] is sent as X-API-Key instead.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

interface ClientState {
  projectId: string | null;
  csrf: string | null;
  onUnauthorized: (() => void) | null;
}

const state: ClientState = { projectId: null, csrf: null, onUnauthorized: null };

export function configureClient(s: Partial<ClientState>): void {
  Object.assign(state, s);
}

export const currentProjectId = () => state.projectId;

function devKey(): string | null {
  try {
    return sessionStorage.getItem('aether.devKey');
  } catch {
    return null;
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, q?: Query): string {
  if (!q) return path;
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** do not send X-Aether-Project (auth and admin routes) */
  noProject?: boolean;
  /** do not redirect to sign-in on 401 */
  allow401?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (state.projectId && !opts.noProject) headers['x-aether-project'] = state.projectId;
  if (method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
  const key = devKey();
  if (key) headers['x-api-key'] = key;
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Cannot reach the Aether server. Is it running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `${res.status} ${res.statusText}`, e?.details);
    // (with a development key, session-only routes answer 401: that is no reason to sign out)
    if (res.status === 401 && !opts.allow401 && !key && state.onUnauthorized) state.onUnauthorized();
    throw err;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body: body ?? {} }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }),
  del: <T>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/** Fetch a file with the session headers and hand it to the browser as a download. */
export async function download(path: string, query: Query, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (state.projectId) headers['x-aether-project'] = state.projectId;
  const key = devKey();
  if (key) headers['x-api-key'] = key;
  const res = await fetch(withQuery(path, query), { headers, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new ApiError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
