// First start: while no user exists, a one-time setup token lets whoever holds the printed link
// create the first owner. Only its hash is in the store; the token itself is kept in the data dir
// (mode 0600) so a restart prints the same link instead of invalidating the one already copied.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Role, Store, User } from '../../storage/index.js';
import { hashPassword } from './password.js';
import { tokenHash } from './sessions.js';

const FILE = 'setup-token';
const fileIn = (dataDir: string) => join(resolve(dataDir), FILE);

/** The setup token to print, or undefined when a user already exists (stale tokens are then removed). */
export async function ensureSetupToken(store: Pick<Store, 'users' | 'setupTokens'>, dataDir: string): Promise<string | undefined> {
  const file = fileIn(dataDir);
  if ((await store.users.count()) > 0) {
    forgetSetupToken(dataDir);
    return undefined;
  }
  const saved = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (saved && (await store.setupTokens.exists(tokenHash(saved)))) return saved;
  const token = randomBytes(24).toString('base64url');
  await store.setupTokens.add(tokenHash(token));
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

/** Remove the saved token file (after setup, or once users exist). */
export function forgetSetupToken(dataDir: string): void {
  rmSync(fileIn(dataDir), { force: true });
}

/** Create a user with a hashed password. */
export async function createUser(store: Pick<Store, 'users'>, input: { orgId: string; email: string; name?: string | null | undefined; password: string; role: Role }): Promise<User> {
  return store.users.create({ orgId: input.orgId, email: input.email, name: input.name, role: input.role, passwordHash: await hashPassword(input.password) });
}

/** The first owner, in the first organization (created as "Default" when there is none). */
export async function createFirstOwner(store: Pick<Store, 'users' | 'organizations'>, input: { email: string; name?: string | null | undefined; password: string }): Promise<User> {
  const org = (await store.organizations.list())[0] ?? (await store.organizations.create({ name: 'Default', slug: 'default' }));
  return createUser(store, { ...input, orgId: org.id, role: 'owner' });
}
