// Dashboard sign-in: passwords, sessions, CSRF, first-owner setup.
export { hashPassword, verifyPassword, dummyHash } from './password.js';
export { SESSION_COOKIE, readCookie, sessionCookie } from './cookies.js';
export { createSessions, tokenHash, type ActiveSession, type Sessions, type SessionOptions } from './sessions.js';
export { createLoginLimiter, type LoginLimiter } from './login-limit.js';
export { ensureSetupToken, forgetSetupToken, createUser, createFirstOwner } from './setup.js';
export { sessionGuard } from './guard.js';
