// The users of the Clerk Backend API stand-in (one Clerk instance), with the
// passwords Clerk can hold: set in clear through the API (kept as a SHA-256
// digest here), or imported as a `password_digest` with its
// `password_hasher` (https://clerk.com/docs/reference/backend-api/tag/users/post/users).
// Digests checked here: bcrypt (bcryptjs) and pbkdf2_sha256 in Clerk's format
// `pbkdf2_sha256$<iterations>$<b64 salt>$<b64 hash>`; argon2id/argon2i digests
// are accepted when well-formed but cannot be checked without another
// dependency: verifying one is refused loudly (a 500 naming the stand-in's
// limit), never answered as a match or a mismatch.
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
export const CLERK_HASHERS = ['bcrypt', 'argon2i', 'argon2id', 'pbkdf2_sha256', 'pbkdf2_sha512', 'scrypt_firebase', 'sha256', 'md5', 'awscognito'] as const;
const DIGEST_FORMATS: Partial<Record<string, RegExp>> = {
  bcrypt: /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/,
  argon2id: /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
  argon2i: /^\$argon2i\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
  pbkdf2_sha256: /^pbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/,
};

export class UnsupportedHasher extends Error {}

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
  if (stored.hasher === 'pbkdf2_sha256') {
    const [, iterations, salt, hash] = stored.digest.split('$') as [string, string, string, string];
    const expected = Buffer.from(hash, 'base64');
    const got = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), expected.length, 'sha256');
    return expected.length > 0 && timingSafeEqual(got, expected);
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
