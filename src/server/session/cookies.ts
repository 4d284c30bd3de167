// The session cookie: read from the Cookie header, written with HttpOnly and SameSite=Lax (the CSRF
// header check is the second line of defence).
export const SESSION_COOKIE = 'aether_session';

type Headers = Record<string, string | string[] | undefined>;

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(headers: Headers, name: string = SESSION_COOKIE): string | undefined {
  const raw = headers.cookie;
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    try {
      v = decodeURIComponent(v);
    } catch {
      return undefined;
    }
    return v || undefined;
  }
  return undefined;
}

/** A Set-Cookie value for the session; maxAgeS 0 deletes it. */
export function sessionCookie(token: string, maxAgeS: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeS))}`, ...(secure ? ['Secure'] : [])].join('; ');
}
