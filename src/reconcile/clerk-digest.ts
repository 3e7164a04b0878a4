/**
 * Kratos password hashes as Clerk's `password_digest` + `password_hasher`
 * (POST/PATCH /v1/users), so a user brought back to Clerk signs in with the
 * password they had in Olympus. Pure, Workers and Node (no Buffer).
 *
 * Clerk's formats, from the create-user parameters (clerk-docs
 * docs/references/backend/user/create-user.mdx, and the `passwordHasher`
 * JSDoc of @clerk/backend src/api/endpoints/UserApi.ts, which lists the
 * newer `pbkdf2_sha512_hex`):
 * - bcrypt: `$<algorithm version>$<cost>$<salt & hash>`: Kratos's
 *   `$2a$`/`$2b$`/`$2y$` MCF string as is.
 * - argon2id / argon2i: the PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`
 *   ("version 19 is assumed"): Kratos writes exactly that (hasher_argon2.go,
 *   unpadded base64), carried as is; another version is not carried.
 * - pbkdf2_sha256: `pbkdf2_sha256$<iterations>$<salt>$<hash>`, "both the salt
 *   and the hash are expected to be base64-encoded": Kratos's
 *   `$pbkdf2-sha256$i=<n>,l=<len>$<salt>$<key>` (hasher_pbkdf2.go, unpadded
 *   standard base64 of the raw bytes) re-encoded with padding; the key length
 *   is the hash's length.
 * - pbkdf2_sha512_hex: `pbkdf2_sha512_hex$<iterations>$<salt>$<hash>`, "both
 *   the salt and the hash are expected to be hex-encoded". (`pbkdf2_sha512`
 *   itself takes the salt as an un-encoded string literal: Kratos's salt is
 *   random bytes, not text, so that form cannot hold it.)
 * - pbkdf2_sha1: `pbkdf2_sha1$<iterations>$<salt-as-hex>$<hash-as-hex>$<key-length>`.
 *
 * Not carried (the user resets instead): Kratos's `pbkdf2-sha224`/`sha384`
 * (hasher_pbkdf2.go maps them to SHA3-224/SHA3-384, which Clerk has no
 * hasher for), scrypt, Firebase scrypt, md5/sha/ssha imports, anything
 * malformed. A digest Clerk would refuse is worse than none: the create fails.
 */
import type { ClerkPasswordHasher } from '../providers/admin/clerk-backend-client.ts';

export interface ClerkDigest {
  hasher: ClerkPasswordHasher;
  digest: string;
}

/** Why a hash is not carried: reported per user, never the hash itself. */
export type DigestRefusal = 'no_hash' | 'unsupported_algorithm' | 'malformed';

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$(argon2id|argon2i)\$v=(\d+)\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const PBKDF2 = /^\$pbkdf2-([a-z0-9]+)\$i=(\d+),l=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;
/** Far above any real setting (OWASP: 600,000 for SHA-256); a bigger number is a broken hash, not a slow one. */
const MAX_ITERATIONS = 100_000_000;

/** Standard base64, padded or not, to bytes; undefined when it is not base64. */
export function base64Bytes(text: string): Uint8Array | undefined {
  const bare = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(bare) || bare.length % 4 === 1) return undefined;
  const bin = atob(bare + '='.repeat((4 - (bare.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function bytesBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

export function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A Kratos hash as Clerk takes it, or why not. */
export function clerkDigestOf(hash: string | undefined): ClerkDigest | DigestRefusal {
  if (!hash) return 'no_hash';
  if (BCRYPT.test(hash)) return { hasher: 'bcrypt', digest: hash };
  const argon = ARGON2.exec(hash);
  if (argon) return argon[2] === '19' ? { hasher: argon[1] as 'argon2id' | 'argon2i', digest: hash } : 'unsupported_algorithm';
  const p = PBKDF2.exec(hash);
  if (!p) return hash.startsWith('$pbkdf2-') ? 'malformed' : 'unsupported_algorithm';
  const [, algorithm, iter, len, saltText, keyText] = p as unknown as [string, string, string, string, string, string];
  const iterations = Number(iter);
  const salt = base64Bytes(saltText);
  const key = base64Bytes(keyText);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) return 'malformed';
  if (!salt || !key || salt.length === 0 || key.length === 0 || key.length !== Number(len)) return 'malformed';
  switch (algorithm) {
    case 'sha256':
      return { hasher: 'pbkdf2_sha256', digest: `pbkdf2_sha256$${iterations}$${bytesBase64(salt)}$${bytesBase64(key)}` };
    case 'sha512':
      return { hasher: 'pbkdf2_sha512_hex', digest: `pbkdf2_sha512_hex$${iterations}$${bytesHex(salt)}$${bytesHex(key)}` };
    case 'sha1':
      return { hasher: 'pbkdf2_sha1', digest: `pbkdf2_sha1$${iterations}$${bytesHex(salt)}$${bytesHex(key)}$${key.length}` };
    default:
      return 'unsupported_algorithm';
  }
}

export function isDigest(v: ClerkDigest | DigestRefusal): v is ClerkDigest {
  return typeof v === 'object';
}
