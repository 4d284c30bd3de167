import { errors } from '../core/index.js';
import type { Role } from '../storage/index.js';
import type { KeyAuth } from './auth.js';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The project named in a `/projects/{id}/…` path, if the caller may use it: an API key of that
 * project, or a session of its organization whose role is one of `roles` (any role when omitted).
 */
export function projectAccess(auth: KeyAuth) {
  return async (headers: Headers, id: string, roles?: readonly Role[], what = 'change this'): Promise<string> => {
    const p = await auth.authenticate({ ...headers, 'x-aether-project': headers['x-aether-project'] ?? id });
    if (p.project.id !== id && p.project.slug !== id) throw errors.forbidden(`Project "${id}" is not the project of this API key or session`);
    if (roles && p.user && !roles.includes(p.user.role)) throw errors.forbidden(`Only ${roles.join(' or ')} users can ${what}`);
    return p.project.id;
  };
}
