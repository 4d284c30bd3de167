// The shell: sign-in gate, sidebar navigation with the project switcher, the top bar with the time
// range, live refresh and theme, and the lazily loaded pages.
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { request } from './api';
import { RANGE_LABEL, RANGES, type Range } from './lib/format';
import { Link, match, navigate, useLocation } from './router';
import { useApp, type ThemePref } from './state';
import { Spinner } from './components/ui';
import { SignIn, Setup } from './pages/Auth';
import { Overview } from './pages/Overview';

const Traces = lazy(() => import('./pages/Traces').then((m) => ({ default: m.Traces })));
const TraceDetail = lazy(() => import('./pages/TraceDetail').then((m) => ({ default: m.TraceDetailPage })));
const Alerts = lazy(() => import('./pages/Alerts').then((m) => ({ default: m.Alerts })));
const Costs = lazy(() => import('./pages/Costs').then((m) => ({ default: m.Costs })));
const Gateway = lazy(() => import('./pages/Gateway').then((m) => ({ default: m.Gateway })));
const RouterPage = lazy(() => import('./pages/Router').then((m) => ({ default: m.Router })));
const Rag = lazy(() => import('./pages/Rag').then((m) => ({ default: m.Rag })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));
const Monitors = lazy(() => import('./pages/Monitors').then((m) => ({ default: m.Monitors })));
const Prompts = lazy(() => import('./pages/Prompts').then((m) => ({ default: m.Prompts })));
const PromptDetail = lazy(() => import('./pages/Prompts').then((m) => ({ default: m.PromptDetail })));
const Experiments = lazy(() => import('./pages/Experiments').then((m) => ({ default: m.Experiments })));
const ExperimentDetail = lazy(() => import('./pages/Experiments').then((m) => ({ default: m.ExperimentDetail })));

const NAV: Array<{ to: string; label: string; icon: string; match: RegExp }> = [
  { to: '/', label: 'Overview', icon: '◫', match: /^\/$/ },
  { to: '/traces', label: 'Traces', icon: '≡', match: /^\/traces/ },
  { to: '/alerts', label: 'Alerts', icon: '◬', match: /^\/alerts/ },
  { to: '/monitors', label: 'Monitors', icon: '◉', match: /^\/monitors/ },
  { to: '/costs', label: 'Costs', icon: '$', match: /^\/costs/ },
  { to: '/gateway', label: 'Gateway', icon: '⇄', match: /^\/gateway/ },
  { to: '/prompts', label: 'Prompts', icon: '✎', match: /^\/(prompts|experiments)/ },
  { to: '/router', label: 'Router', icon: '⇉', match: /^\/router/ },
  { to: '/rag', label: 'Retrieval', icon: '⌕', match: /^\/rag/ },
  { to: '/settings', label: 'Settings', icon: '⚙', match: /^\/settings/ },
];

function ProjectSwitcher() {
  const { me, projectId, setProjectId } = useApp();
  if (!me) return null;
  return (
    <div className="project-switcher">
      <label htmlFor="project-switch">Project</label>
      <select id="project-switch" className="input" value={projectId ?? ''} onChange={(e) => setProjectId(e.target.value)}>
        {me.projects.length === 0 ? <option value="">No projects</option> : null}
        {me.projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function RangePicker() {
  const { range, setRange } = useApp();
  return (
    <div className="segmented" role="radiogroup" aria-label="Time range">
      {RANGES.map((r: Range) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={range === r}
          title={RANGE_LABEL[r]}
          className={range === r ? 'active' : ''}
          onClick={() => setRange(r)}
          onKeyDown={(e) => {
            const i = RANGES.indexOf(r);
            const next = e.key === 'ArrowRight' ? RANGES[(i + 1) % RANGES.length] : e.key === 'ArrowLeft' ? RANGES[(i + RANGES.length - 1) % RANGES.length] : undefined;
            if (next) {
              e.preventDefault();
              setRange(next);
              (e.currentTarget.parentElement?.querySelector(`[data-range="${next}"]`) as HTMLButtonElement | null)?.focus();
            }
          }}
          data-range={r}
          tabIndex={range === r ? 0 : -1}
        >
          {r}
        </button>
      ))}
    </div>
  );
}

function LiveToggle() {
  const { live, setLive, refreshNow, lastRefresh } = useApp();
  const t = new Date(lastRefresh).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <div className="live">
      <button type="button" className={`btn btn-small live-btn${live ? ' on' : ''}`} aria-pressed={live} onClick={() => setLive(!live)} title={live ? 'Pause live refresh' : 'Resume live refresh'}>
        <span className="live-dot" aria-hidden="true" />
        {live ? 'Live' : 'Paused'}
      </button>
      <button type="button" className="btn btn-small btn-ghost" onClick={refreshNow} aria-label={`Refresh now (last refreshed ${t})`} title={`Last refreshed ${t}`}>
        ↻
      </button>
    </div>
  );
}

function ThemeToggle() {
  const { theme, setTheme } = useApp();
  const next: Record<ThemePref, ThemePref> = { system: 'light', light: 'dark', dark: 'system' };
  const label: Record<ThemePref, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };
  const icon: Record<ThemePref, string> = { system: '◐', light: '☀', dark: '☾' };
  return (
    <button type="button" className="btn btn-small btn-ghost theme-toggle" onClick={() => setTheme(next[theme])} aria-label={`${label[theme]}; switch to ${next[theme]}`} title={label[theme]}>
      <span aria-hidden="true">{icon[theme]}</span> <span className="theme-label">{theme}</span>
    </button>
  );
}

function UserMenu() {
  const { me, setMe } = useApp();
  if (!me) return null;
  const signOut = async () => {
    try {
      sessionStorage.removeItem('aether.devKey');
      await request('/api/v1/auth/logout', { method: 'POST', body: {}, noProject: true, allow401: true });
    } catch {
      /* signed out anyway */
    }
    setMe(null);
    navigate('/login');
  };
  return (
    <div className="user-menu">
      <div className="user-info">
        <span className="user-name">{me.user.name || me.user.email}</span>
        <span className="user-role">
          {me.user.role} · {me.org.name}
        </span>
      </div>
      <button type="button" className="btn btn-small" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  // Move focus to the page on navigation so keyboard and screen-reader users land on the content.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
  }, [path]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            Æ
          </span>
          <span className="brand-name">Aether</span>
        </div>
        <ProjectSwitcher />
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => {
              const active = n.match.test(path);
              return (
                <li key={n.to}>
                  <Link to={n.to} className={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
                    <span className="nav-icon" aria-hidden="true">
                      {n.icon}
                    </span>
                    {n.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <UserMenu />
        </div>
      </aside>
      <div className="content">
        <div className="topbar">
          <RangePicker />
          <div className="topbar-right">
            <LiveToggle />
            <ThemeToggle />
          </div>
        </div>
        <main id="main" ref={main} tabIndex={-1}>
          <Suspense fallback={<Spinner />}>{children}</Suspense>
        </main>
      </div>
    </div>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <Link to="/">Go to the overview</Link>.
      </p>
    </div>
  );
}

function Page() {
  const { path } = useLocation();
  let m: Record<string, string> | null;
  if (path === '/') return <Overview />;
  if (path === '/traces') return <Traces />;
  if ((m = match('/traces/:id', path))) return <TraceDetail id={m.id!} />;
  if (path === '/alerts') return <Alerts />;
  if ((m = match('/alerts/:id', path))) return <Alerts selected={m.id!} />;
  if (path === '/monitors') return <Monitors />;
  if (path === '/costs') return <Costs />;
  if (path === '/gateway') return <Gateway />;
  if (path === '/prompts') return <Prompts />;
  if ((m = match('/prompts/:name', path))) return <PromptDetail name={m.name!} />;
  if (path === '/experiments') return <Experiments />;
  if ((m = match('/experiments/:id', path))) return <ExperimentDetail id={m.id!} />;
  if (path === '/router') return <RouterPage />;
  if (path === '/rag') return <Rag />;
  if (path === '/settings') return <Settings />;
  return <NotFound />;
}

export function App() {
  const { me, checking, projectId } = useApp();
  const { path } = useLocation();
  if (path === '/setup') return <Setup />;
  if (path === '/login') return <SignIn />;
  if (checking) return <Spinner label="Checking your session" />;
  if (!me) return <ToSignIn />;
  return <Shell>{projectId || path === '/settings' ? <Page key={projectId ?? 'none'} /> : <NoProject />}</Shell>;
}

/** Not signed in: go to sign-in, coming back here afterwards. */
function ToSignIn() {
  useEffect(() => {
    const here = window.location.pathname + window.location.search;
    navigate(`/login${here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, { replace: true });
  }, []);
  return <Spinner />;
}

function NoProject() {
  return (
    <div className="page">
      <h1>No project yet</h1>
      <p>
        Your organization has no project. <Link to="/settings">Create one in Settings</Link>.
      </p>
    </div>
  );
}
