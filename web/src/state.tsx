// App-wide state: the signed-in session, the selected project, the time range, live refresh and the
// theme; plus useAsync, the data hook every page uses.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type DependencyList, type ReactNode } from 'react';
import { ApiError, configureClient, request } from './api';
import { isRange, type Range } from './lib/format';
import { navigate } from './router';
import type { Me } from './types';

export type ThemePref = 'system' | 'light' | 'dark';

interface AppState {
  me: Me | null;
  /** true until the first /auth/me answer */
  checking: boolean;
  setMe: (me: Me | null) => void;
  refreshMe: () => Promise<Me | null>;
  projectId: string | null;
  project: Me['projects'][number] | null;
  setProjectId: (id: string) => void;
  range: Range;
  setRange: (r: Range) => void;
  live: boolean;
  setLive: (v: boolean) => void;
  /** increments on every live-refresh tick */
  tick: number;
  lastRefresh: number;
  refreshNow: () => void;
  theme: ThemePref;
  resolvedTheme: 'light' | 'dark';
  setTheme: (t: ThemePref) => void;
  canEdit: boolean;
  isOwner: boolean;
}

const Ctx = createContext<AppState | null>(null);
export const LIVE_INTERVAL_MS = 10_000;

const store = {
  get: (k: string) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k: string, v: string) => {
    try {
      localStorage.setItem(k, v);
    } catch {
      /* private mode */
    }
  },
};

function systemDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Without the session routes (development), a dev key stands in for the session. */
async function devSession(): Promise<Me | null> {
  let key: string | null = null;
  try {
    key = sessionStorage.getItem('aether.devKey');
  } catch {
    /* ignore */
  }
  if (!key) return null;
  const p = await request<{ id: string; name: string; slug: string; org_id: string }>('/api/v1/project', { noProject: true, allow401: true });
  return { user: { id: 'dev', email: 'dev@localhost', name: 'Developer (API key)', role: 'owner' }, org: { id: p.org_id, name: 'API key session' }, projects: [{ id: p.id, name: p.name, slug: p.slug }], csrf_token: '' };
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [me, setMeState] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [projectId, setProjectIdState] = useState<string | null>(store.get('aether.project'));
  const [range, setRangeState] = useState<Range>(() => {
    const fromUrl = new URLSearchParams(window.location.search).get('range');
    if (isRange(fromUrl)) return fromUrl;
    const saved = store.get('aether.range');
    return isRange(saved) ? saved : '24h';
  });
  const [live, setLiveState] = useState(store.get('aether.live') !== 'false');
  const [tick, setTick] = useState(0);
  const [lastRefresh, setLastRefresh] = useState(Date.now());
  const [theme, setThemeState] = useState<ThemePref>(() => {
    const t = store.get('aether.theme');
    return t === 'light' || t === 'dark' ? t : 'system';
  });
  const [sysDark, setSysDark] = useState(systemDark);

  const setMe = useCallback((m: Me | null) => {
    setMeState(m);
    configureClient({ csrf: m?.csrf_token ?? null });
    if (m) setProjectIdState((cur) => (cur && m.projects.some((p) => p.id === cur) ? cur : (m.projects[0]?.id ?? null)));
  }, []);

  const refreshMe = useCallback(async () => {
    try {
      const m = await request<Me>('/api/v1/auth/me', { noProject: true, allow401: true });
      setMe(m);
      return m;
    } catch (e) {
      const dev = await devSession().catch(() => null);
      if (dev) {
        setMe(dev);
        return dev;
      }
      if (!(e instanceof ApiError) || e.status === 401 || e.status === 404) setMe(null);
      throw e;
    } finally {
      setChecking(false);
    }
  }, [setMe]);

  useEffect(() => {
    configureClient({
      onUnauthorized: () => {
        setMeState(null);
        const here = window.location.pathname + window.location.search;
        if (!/^\/(login|setup)/.test(window.location.pathname)) navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
      },
    });
    refreshMe().catch(() => undefined);
  }, [refreshMe]);

  const setProjectId = useCallback((id: string) => {
    store.set('aether.project', id);
    setProjectIdState(id);
  }, []);
  const setRange = useCallback((r: Range) => {
    store.set('aether.range', r);
    setRangeState(r);
  }, []);
  const setLive = useCallback((v: boolean) => {
    store.set('aether.live', String(v));
    setLiveState(v);
  }, []);
  const refreshNow = useCallback(() => {
    setTick((t) => t + 1);
    setLastRefresh(Date.now());
  }, []);
  const setTheme = useCallback((t: ThemePref) => {
    store.set('aether.theme', t);
    setThemeState(t);
  }, []);

  // Live refresh: a tick every interval while the tab is visible.
  useEffect(() => {
    if (!live || !me) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') refreshNow();
    }, LIVE_INTERVAL_MS);
    return () => window.clearInterval(id);
  }, [live, me, refreshNow]);

  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const on = () => setSysDark(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const resolvedTheme = theme === 'system' ? (sysDark ? 'dark' : 'light') : theme;
  // Set before children render: charts read the theme's colours from CSS variables in their effects.
  if (document.documentElement.dataset.theme !== resolvedTheme) {
    document.documentElement.dataset.theme = resolvedTheme;
    document.documentElement.style.colorScheme = resolvedTheme;
  }

  const project = me?.projects.find((p) => p.id === projectId) ?? null;
  // The client sends the project of this render: set before the pages render and fetch.
  configureClient({ projectId: project?.id ?? null });
  const role = me?.user.role;
  const value = useMemo<AppState>(
    () => ({ me, checking, setMe, refreshMe, projectId: project?.id ?? null, project, setProjectId, range, setRange, live, setLive, tick, lastRefresh, refreshNow, theme, resolvedTheme, setTheme, canEdit: role === 'owner' || role === 'member', isOwner: role === 'owner' }),
    [me, checking, setMe, refreshMe, project, setProjectId, range, setRange, live, setLive, tick, lastRefresh, refreshNow, theme, resolvedTheme, setTheme, role],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useApp(): AppState {
  const s = useContext(Ctx);
  if (!s) throw new Error('useApp outside AppProvider');
  return s;
}

export interface Async<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Run `fn` when deps change (and on reload); abort the previous run. Data of the previous run stays
 * while the next one loads, so live refresh does not flicker; `resetKey` clears it (e.g. a new project).
 */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: DependencyList, resetKey?: string): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  const lastKey = useRef(resetKey);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    if (lastKey.current !== resetKey) {
      lastKey.current = resetKey;
      setData(undefined);
    }
    const ac = new AbortController();
    setLoading(true);
    fnRef
      .current(ac.signal)
      .then((d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (ac.signal.aborted || (e as Error)?.name === 'AbortError') return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      });
    return () => ac.abort();
  }, [...deps, n, resetKey]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload };
}
