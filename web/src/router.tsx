// A small history router: the current location as state, navigate(), <Link>, and path matching.
import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export interface Loc {
  path: string;
  search: URLSearchParams;
}

const read = (): Loc => ({ path: window.location.pathname.replace(/\/+$/, '') || '/', search: new URLSearchParams(window.location.search) });

const LocCtx = createContext<Loc>({ path: '/', search: new URLSearchParams() });

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const cur = window.location.pathname + window.location.search;
  if (to === cur) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('aether:navigate'));
  if (!opts.replace) window.scrollTo(0, 0);
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const on = () => setLoc(read());
    window.addEventListener('popstate', on);
    window.addEventListener('aether:navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('aether:navigate', on);
    };
  }, []);
  return <LocCtx.Provider value={loc}>{children}</LocCtx.Provider>;
}

export const useLocation = () => useContext(LocCtx);

/** Match `/traces/:id` style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    if (p.startsWith(':')) out[p.slice(1)] = decodeURIComponent(b[i]!);
    else if (p !== b[i]) return null;
  }
  return out;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An anchor that navigates without a reload (and still opens in a new tab with a modifier). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} {...rest}>
      {children}
    </a>
  );
}

/** Update query parameters of the current URL (replace, no history entry). */
export function setSearch(update: Record<string, string | null | undefined>): void {
  const p = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(update)) {
    if (v === null || v === undefined || v === '') p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString();
  navigate(`${window.location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}
