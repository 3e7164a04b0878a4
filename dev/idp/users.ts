// In-memory user directory for the local IdP stand-ins: seeded accounts with
// passwords and OIDC profile claims, plus sign-up. Nothing is persisted.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface SeedUser {
  sub: string;
  email: string;
  password: string;
  given_name: string;
  family_name: string;
  /** Defaults to "given_name family_name". */
  name?: string;
  /** Defaults to true. */
  email_verified?: boolean;
}

export interface UserClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  given_name: string;
  family_name: string;
  name: string;
}

interface StoredUser {
  claims: UserClaims;
  passwordHash: Buffer;
}

export type SubjectFactory = () => string;

/**
 * What an IdP stand-in needs from its user store: the in-memory UserStore
 * below, or a store shared with another stand-in (the Kratos identities the
 * Kratos admin stand-in serves, the users of the Auth0 Management API
 * stand-in), so a sign-up or an import is seen by both.
 */
export interface UserDirectory {
  findBySub(sub: string): UserClaims | undefined;
  findByEmail(email: string): UserClaims | undefined;
  /** The user when the password matches, undefined otherwise. */
  verify(email: string, password: string): UserClaims | undefined | Promise<UserClaims | undefined>;
  /** Self-service sign-up; throws with a message for the form when it cannot. */
  signUp(input: Omit<SeedUser, 'sub'>): UserClaims | Promise<UserClaims>;
  list(): UserClaims[];
  /** An admin import of a user with a known id (a Kratos directory); absent where the store has `add`. */
  importUser?(user: SeedUser): UserClaims;
}

export const uuidSubject: SubjectFactory = () => randomUUID();
export const auth0Subject: SubjectFactory = () => `auth0|${randomBytes(12).toString('hex')}`;

function hashPassword(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserStore implements UserDirectory {
  readonly #bySub = new Map<string, StoredUser>();
  readonly #subByEmail = new Map<string, string>();
  readonly #newSubject: SubjectFactory;

  constructor(seed: SeedUser[], newSubject: SubjectFactory) {
    this.#newSubject = newSubject;
    for (const user of seed) this.add(user);
  }

  /** Adds (or replaces, by sub) a user. Throws if the email belongs to another sub. */
  add(user: SeedUser): UserClaims {
    const email = normalizeEmail(user.email);
    const owner = this.#subByEmail.get(email);
    if (owner !== undefined && owner !== user.sub) {
      throw new Error(`email ${email} is already used by ${owner}`);
    }
    const claims: UserClaims = {
      sub: user.sub,
      email,
      email_verified: user.email_verified ?? true,
      given_name: user.given_name,
      family_name: user.family_name,
      name: user.name ?? `${user.given_name} ${user.family_name}`.trim(),
    };
    this.#bySub.set(user.sub, { claims, passwordHash: hashPassword(user.password) });
    this.#subByEmail.set(email, user.sub);
    return claims;
  }

  /** Self-service sign-up: a fresh subject, unverified email (like a real sign-up). */
  signUp(input: Omit<SeedUser, 'sub'>): UserClaims {
    if (this.findByEmail(input.email)) throw new Error('An account with this email already exists.');
    return this.add({ email_verified: false, ...input, sub: this.#newSubject() });
  }

  findBySub(sub: string): UserClaims | undefined {
    return this.#bySub.get(sub)?.claims;
  }

  findByEmail(email: string): UserClaims | undefined {
    const sub = this.#subByEmail.get(normalizeEmail(email));
    return sub === undefined ? undefined : this.findBySub(sub);
  }

  /** Returns the user when the password matches, undefined otherwise. */
  verify(email: string, password: string): UserClaims | undefined {
    const sub = this.#subByEmail.get(normalizeEmail(email));
    const stored = sub === undefined ? undefined : this.#bySub.get(sub);
    const given = hashPassword(password);
    const expected = stored?.passwordHash ?? hashPassword(randomUUID());
    const ok = timingSafeEqual(given, expected);
    return ok && stored ? stored.claims : undefined;
  }

  list(): UserClaims[] {
    return [...this.#bySub.values()].map((u) => u.claims);
  }
}
