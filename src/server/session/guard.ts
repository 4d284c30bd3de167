// Cookie-authenticated writes must carry the session's CSRF token, and viewers may not write at
// all. API-key requests are untouched: browsers cannot attach those headers cross-site.
import type { FastifyRequest } from 'fastify';
import { errors } from '../../core/errors.js';
import { safeEqual } from '../../core/ids.js';
import { presentedKey } from '../auth.js';
import { readCookie } from './cookies.js';
import type { Sessions } from './sessions.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sign-in itself cannot need a session's token (a stale cookie must not block logging in again). */
const NO_SESSION_NEEDED = new Set(['/api/v1/auth/login', '/api/v1/auth/setup']);
const ANY_ROLE = new Set(['/api/v1/auth/logout']);

/** An onRequest hook enforcing CSRF and the viewer role on cookie-authenticated mutations. */
export function sessionGuard(sessions: Pick<Sessions, 'resolve'>) {
  return async (req: FastifyRequest): Promise<void> => {
    if (SAFE.has(req.method)) return;
    const path = (req.url.split('?')[0] ?? '').replace(/\/+$/, '');
    if (!path.startsWith('/api/') && !path.startsWith('/v1/')) return;
    if (NO_SESSION_NEEDED.has(path) || presentedKey(req.headers)) return;
    const token = readCookie(req.headers);
    if (!token) return;
    const session = await sessions.resolve(token);
    if (!session) return; // authentication answers 401 for an expired session
    const sent = req.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
      throw errors.forbidden('Missing or wrong X-CSRF-Token header: send the csrf_token from /api/v1/auth/me with every change made through a session');
    }
    if (session.user.role === 'viewer' && !ANY_ROLE.has(path)) throw errors.forbidden('Viewers have read-only access; ask an owner for the member role');
  };
}
