// The Auth0 login stand-in's users are the Management API stand-in's users:
// one tenant, so a user a reconcile creates or imports (with its carried
// password hash) can sign in at once with the password they had in Olympus,
// and a sign-up on the login page shows up in GET /api/v2/users-by-email.
// The tenant's database connection checks the password against what it
// stores: a plain password (POST /users, a reset), or a custom_password_hash
// of a kind the stand-in can check (pbkdf2). bcrypt `password_hash` imports
// are stored but cannot be checked without a new dependency: such a user
// signs in after a password reset.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SeedUser, UserClaims, UserDirectory } from '../idp/users.ts';
import { verifyPbkdf2 } from '../kratos-admin/kratos-hashes.ts';
import type { Auth0Tenant } from './app.ts';

/** The part of a tenant (or its served handle) the login needs. */
type TenantUsers = Pick<Auth0Tenant, 'users' | 'connection' | 'seedUser' | 'usersByEmail'>;
import type { StoredCredential, StoredUser } from './user-store.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function credentialMatches(credential: StoredCredential | undefined, password: string): boolean {
  switch (credential?.kind) {
    case undefined:
      return false;
    case 'password':
      return timingSafeEqual(digest(credential.password), digest(password));
    case 'password_hash':
      return false;
    case 'custom_password_hash':
      return credential.custom.algorithm === 'pbkdf2' && verifyPbkdf2(credential.custom.hash.value, password);
  }
}

function claimsOf(user: StoredUser): UserClaims {
  const p = user.profile;
  return {
    sub: p.user_id,
    email: p.email,
    email_verified: p.email_verified,
    given_name: p.given_name ?? '',
    family_name: p.family_name ?? '',
    name: p.name,
  };
}

/** Seeds the login stand-in's users (sub "auth0|<id>") into the tenant, with their passwords. */
export function seedLoginUsers(tenant: TenantUsers, users: SeedUser[]): void {
  for (const u of users) {
    const id = u.sub.replace(/^auth0\|/, '');
    tenant.seedUser(
      { user_id: id, email: u.email, email_verified: u.email_verified ?? true, given_name: u.given_name, family_name: u.family_name, name: u.name ?? `${u.given_name} ${u.family_name}`.trim() },
      { kind: 'password', password: u.password },
    );
  }
}

export function tenantDirectory(tenant: TenantUsers): UserDirectory {
  const inConnection = (email: string) => tenant.usersByEmail(email.trim()).find((u) => u.connection === tenant.connection.name);
  return {
    findBySub: (sub) => {
      const user = tenant.users.get(sub);
      return user ? claimsOf(user) : undefined;
    },
    findByEmail: (email) => {
      const user = inConnection(email);
      return user ? claimsOf(user) : undefined;
    },
    verify: (email, password) => {
      const user = inConnection(email);
      if (!user || user.profile.blocked) return undefined;
      return credentialMatches(user.credential, password) ? claimsOf(user) : undefined;
    },
    signUp: (input) => {
      if (inConnection(input.email)) throw new Error('The user already exists.');
      const user = tenant.seedUser(
        { email: input.email, email_verified: false, given_name: input.given_name, family_name: input.family_name, name: `${input.given_name} ${input.family_name}`.trim() },
        { kind: 'password', password: input.password },
      );
      return claimsOf(user);
    },
    list: () => [...tenant.users.values()].filter((u) => u.connection === tenant.connection.name).map(claimsOf),
  };
}
