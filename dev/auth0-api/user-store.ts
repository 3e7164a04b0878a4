// In-memory Auth0 users: the profile exactly as the Management API returns it
// (user_id "auth0|<id>", identities[], name defaulting to the email, nickname,
// picture, created_at/updated_at), plus the credential that Auth0 would keep
// privately (plain password from POST /users, or the bcrypt / custom hash
// carried over by an import job) so tests can assert it was preserved.
// Emails are stored lower-cased, as Auth0 does for its own database.
import { createHash } from 'node:crypto';
import type { Auth0Connection } from './connections.ts';
import { newUserHexId } from './ids.ts';

export interface Auth0Identity {
  connection: string;
  user_id: string;
  provider: 'auth0';
  isSocial: false;
}

export interface Auth0User {
  created_at: string;
  email: string;
  email_verified: boolean;
  family_name?: string;
  given_name?: string;
  identities: Auth0Identity[];
  name: string;
  nickname: string;
  picture: string;
  updated_at: string;
  user_id: string;
  username?: string;
  blocked?: boolean;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

/** Auth0's bulk-import custom_password_hash object. */
export interface CustomPasswordHash {
  algorithm: string;
  hash: { value: string; encoding?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

export type StoredCredential =
  | { kind: 'password'; password: string }
  | { kind: 'password_hash'; hash: string }
  | { kind: 'custom_password_hash'; custom: CustomPasswordHash };

export interface StoredUser {
  profile: Auth0User;
  connection: string;
  credential?: StoredCredential;
  /** How the user got here: the Management API, an import job (with its id), or a test seed. */
  source: { kind: 'api' } | { kind: 'import'; jobId: string } | { kind: 'seed' };
}

export interface NewUserFields {
  email: string;
  email_verified?: boolean;
  user_id?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  nickname?: string;
  picture?: string;
  username?: string;
  blocked?: boolean;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

function picture(email: string): string {
  const md5 = createHash('md5').update(email).digest('hex');
  const initials = email.slice(0, 2).toLowerCase();
  return `https://s.gravatar.com/avatar/${md5}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F${initials}.png`;
}

export function buildProfile(fields: NewUserFields, connection: Auth0Connection, now = new Date().toISOString()): Auth0User {
  const email = fields.email.toLowerCase();
  const id = fields.user_id ?? newUserHexId();
  const profile: Auth0User = {
    created_at: now,
    email,
    email_verified: fields.email_verified ?? false,
    identities: [{ connection: connection.name, user_id: id, provider: 'auth0', isSocial: false }],
    name: fields.name ?? email,
    nickname: fields.nickname ?? email.split('@')[0]!,
    picture: fields.picture ?? picture(email),
    updated_at: now,
    user_id: `auth0|${id}`,
  };
  if (fields.given_name !== undefined) profile.given_name = fields.given_name;
  if (fields.family_name !== undefined) profile.family_name = fields.family_name;
  if (fields.username !== undefined) profile.username = fields.username;
  if (fields.blocked !== undefined) profile.blocked = fields.blocked;
  if (fields.app_metadata !== undefined) profile.app_metadata = fields.app_metadata;
  if (fields.user_metadata !== undefined) profile.user_metadata = fields.user_metadata;
  return profile;
}

/** Users by user_id, with lookups by (connection, email). */
export class UserStore {
  readonly users = new Map<string, StoredUser>();

  add(user: StoredUser): void {
    this.users.set(user.profile.user_id, user);
  }

  get(userId: string): StoredUser | undefined {
    return this.users.get(userId);
  }

  delete(userId: string): boolean {
    return this.users.delete(userId);
  }

  /** Exact (case-sensitive) match on the stored, lower-cased email, like GET /users-by-email. */
  byEmail(email: string, connection?: string): StoredUser[] {
    return [...this.users.values()].filter((u) => u.profile.email === email && (connection === undefined || u.connection === connection));
  }

  /** Case-insensitive: whether the connection already has this email (uniqueness checks). */
  existsInConnection(email: string, connection: string): StoredUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.connection === connection && u.profile.email === wanted);
  }
}
