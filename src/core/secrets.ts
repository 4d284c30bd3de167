import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AetherError } from './errors.js';

const PREFIX = 'enc:v1:';

/** Encrypts and decrypts stored secrets (webhook URLs, provider keys) with AES-256-GCM. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

/** A SecretBox over the 32-byte master key given as 64 hex characters. */
export function secretBox(masterKeyHex: string): SecretBox {
  const key = Buffer.from(masterKeyHex, 'hex');
  if (key.length !== 32) throw new AetherError(500, 'config_error', 'AETHER_MASTER_KEY must be 32 bytes (64 hex characters)', { expose: true });
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) return sealed; // written before encryption existed
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch {
        throw new AetherError(500, 'secret_unreadable', 'A stored secret cannot be decrypted: was AETHER_MASTER_KEY changed?', { expose: true });
      }
    },
  };
}

/** Show enough of a secret to recognise it, never enough to use it. */
export function maskSecret(s: string): string {
  if (s.length <= 12) return '****';
  return `${s.slice(0, Math.min(24, Math.floor(s.length / 3)))}…****`;
}
