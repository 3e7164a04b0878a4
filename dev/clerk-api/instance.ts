// The users of the Clerk Backend API stand-in (one Clerk instance), with the
// passwords Clerk can hold: set in clear through the API (kept as a SHA-256
// digest here), or imported as a `password_digest` with its
// `password_hasher` (https://clerk.com/docs/reference/backend-api/tag/users/post/users).
// Digests checked here, in the formats of Clerk's create-user parameters
// (clerk-docs references/backend/user/create-user.mdx; @clerk/backend
// UserApi.ts `passwordHasher`): bcrypt (bcryptjs), pbkdf2_sha256
// (`pbkdf2_sha256$<iterations>$<b64 salt>$<b64 hash>`), pbkdf2_sha512 (salt
// as a string literal, hex hash), pbkdf2_sha512_hex (hex salt and hash),
// pbkdf2_sha1 (`$<iterations>$<salt, hex or raw>$<hex hash>[$<key length,
// default 32>]`), pbkdf2_sha256_django (raw salt, b64 hash). argon2id/argon2i
// digests are accepted when well-formed but cannot be checked without another
// dependency (Node 22 has no argon2): verifying one is refused loudly (a 500
// naming the stand-in's limit), never answered as a match or a mismatch.
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

export type StoredPassword = { kind: 'plain'; digest: Buffer } | { kind: 'digest'; hasher: string; digest: string };

export interface ClerkUserRecord {
  id: string;
  externalId: string | null;
  emails: { id: string; address: string }[];
  firstName: string | null;
  lastName: string | null;
  password: StoredPassword | undefined;
  locked: boolean;
  banned: boolean;
  publicMetadata: Record<string, unknown>;
  privateMetadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Hashers POST /v1/users accepts (create-user-params); the stand-in checks the format of the ones it knows. */
export const CLERK_HASHERS = ['bcrypt', 'argon2i', 'argon2id', 'pbkdf2_sha1', 'pbkdf2_sha256', 'pbkdf2_sha256_django', 'pbkdf2_sha512', 'pbkdf2_sha512_hex', 'scrypt_firebase', 'sha256', 'md5', 'awscognito'] as const;
const DIGEST_FORMATS: Partial<Record<string, RegExp>> = {
  bcrypt: /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/,
  argon2id: /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
  argon2i: /^\$argon2i\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
  pbkdf2_sha256: /^pbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
  pbkdf2_sha256_django: /^pbkdf2_sha256\$\d+\$[^$]+\$[A-Za-z0-9+/=]+$/,
  pbkdf2_sha512: /^pbkdf2_sha512\$\d+\$[^$]+\$(?:[0-9a-fA-F]{2})+$/,
  pbkdf2_sha512_hex: /^pbkdf2_sha512_hex\$\d+\$(?:[0-9a-fA-F]{2})+\$(?:[0-9a-fA-F]{2})+$/,
  pbkdf2_sha1: /^pbkdf2_sha1\$\d+\$[^$]+\$(?:[0-9a-fA-F]{2})+(?:\$\d+)?$/,
};

export class UnsupportedHasher extends Error {}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** How each pbkdf2 hasher's digest encodes its salt and hash (create-user's `password_hasher` list). */
const PBKDF2_DIGESTS: Partial<Record<string, { digest: 'sha1' | 'sha256' | 'sha512'; salt: (s: string) => Buffer; hash: 'base64' | 'hex' }>> = {
  pbkdf2_sha256: { digest: 'sha256', salt: (s) => Buffer.from(s, 'base64'), hash: 'base64' },
  pbkdf2_sha256_django: { digest: 'sha256', salt: (s) => Buffer.from(s, 'utf8'), hash: 'base64' },
  pbkdf2_sha512: { digest: 'sha512', salt: (s) => Buffer.from(s, 'utf8'), hash: 'hex' },
  pbkdf2_sha512_hex: { digest: 'sha512', salt: (s) => Buffer.from(s, 'hex'), hash: 'hex' },
  // "If the salt is not a valid hex string, the raw bytes will be used instead."
  pbkdf2_sha1: { digest: 'sha1', salt: (s) => (HEX.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'utf8')), hash: 'hex' },
};

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const lower = (s: string) => s.trim().toLowerCase();
export const clerkId = (prefix: 'user' | 'idn') => `${prefix}_${randomBytes(14).toString('hex')}`;

export function digestWellFormed(hasher: string, digest: string): boolean {
  const format = DIGEST_FORMATS[hasher];
  return format === undefined ? digest.length > 0 : format.test(digest);
}

/** Whether `password` is the user's; throws UnsupportedHasher for a digest the stand-in cannot check. */
export async function passwordMatches(stored: StoredPassword, password: string): Promise<boolean> {
  if (stored.kind === 'plain') return timingSafeEqual(stored.digest, sha(password));
  if (stored.hasher === 'bcrypt') return bcrypt.compare(password, stored.digest);
  const pbkdf2 = PBKDF2_DIGESTS[stored.hasher];
  if (pbkdf2) {
    const [, iterations, saltText, hashText, keyLength] = stored.digest.split('$') as [string, string, string, string, string | undefined];
    const { digest, salt, hash } = pbkdf2;
    const expected = Buffer.from(hashText, hash);
    const length = keyLength !== undefined ? Number(keyLength) : stored.hasher === 'pbkdf2_sha1' ? 32 : expected.length;
    if (expected.length === 0 || expected.length !== length) return false;
    const got = pbkdf2Sync(password, salt(saltText), Number(iterations), length, digest);
    return timingSafeEqual(got, expected);
  }
  throw new UnsupportedHasher(`the Clerk stand-in cannot verify ${stored.hasher} digests`);
}

export class ClerkInstance {
  readonly users = new Map<string, ClerkUserRecord>();

  byEmail(email: string): ClerkUserRecord | undefined {
    const e = lower(email);
    for (const u of this.users.values()) if (u.emails.some((x) => x.address === e)) return u;
    return undefined;
  }

  byExternalId(externalId: string): ClerkUserRecord | undefined {
    for (const u of this.users.values()) if (u.externalId === externalId) return u;
    return undefined;
  }

  add(input: { email: string; id?: string; externalId?: string | null; firstName?: string | null; lastName?: string | null; password?: StoredPassword; publicMetadata?: Record<string, unknown>; privateMetadata?: Record<string, unknown>; createdAt?: number }, now = Date.now()): ClerkUserRecord {
    const user: ClerkUserRecord = {
      id: input.id ?? clerkId('user'),
      externalId: input.externalId ?? null,
      emails: [{ id: clerkId('idn'), address: lower(input.email) }],
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      password: input.password,
      locked: false,
      banned: false,
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      createdAt: input.createdAt ?? now,
      updatedAt: now,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** A user with a password in clear (the demo's accounts, a sign-up). */
  seed(input: { email: string; password: string; id?: string; firstName?: string; lastName?: string }): ClerkUserRecord {
    return this.add({ email: input.email, id: input.id, firstName: input.firstName, lastName: input.lastName, password: plainPassword(input.password) });
  }
}

export function plainPassword(password: string): StoredPassword {
  return { kind: 'plain', digest: sha(password) };
}
