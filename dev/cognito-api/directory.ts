// The Cognito-like OIDC stand-in's users are the admin API stand-in's pool:
// one user pool, so a user created or reset through the admin API (a
// reconcile, the password hook's checks) signs in at the managed login with
// what the pool holds. Managed login signs in only CONFIRMED, enabled users:
// a FORCE_CHANGE_PASSWORD user would be asked for a new password and a
// RESET_REQUIRED one for the code, pages this stand-in does not have.
import type { SeedUser, UserClaims, UserDirectory } from '../idp/users.ts';
import { CognitoFault, type PoolUser, type UserPool } from './user-pool.ts';

function claimsOf(user: PoolUser): UserClaims {
  const a = user.attributes;
  const given = a.given_name ?? '';
  const family = a.family_name ?? '';
  return { sub: a.sub ?? user.username, email: a.email ?? '', email_verified: a.email_verified === 'true', given_name: given, family_name: family, name: a.name ?? `${given} ${family}`.trim() };
}

/** Seeds the OIDC stand-in's default users into the pool, confirmed, with their sub. */
export function seedPoolUsers(pool: UserPool, users: SeedUser[]): void {
  for (const u of users) {
    pool.seed({ sub: u.sub, email: u.email, password: u.password, attributes: { given_name: u.given_name, family_name: u.family_name, email_verified: String(u.email_verified ?? true) } });
  }
}

export function poolDirectory(pool: UserPool): UserDirectory {
  return {
    findBySub: (sub) => {
      const user = pool.find(sub);
      return user ? claimsOf(user) : undefined;
    },
    findByEmail: (email) => {
      const user = pool.find(email);
      return user ? claimsOf(user) : undefined;
    },
    verify: (email, password) => {
      try {
        const { user, challenge } = pool.authenticate(email, password);
        return challenge === undefined ? claimsOf(user) : undefined;
      } catch (err) {
        if (err instanceof CognitoFault) return undefined;
        throw err;
      }
    },
    signUp: (input) => {
      if (pool.find(input.email)) throw new Error('An account with the given email already exists.');
      return claimsOf(pool.seed({ email: input.email, password: input.password, attributes: { given_name: input.given_name, family_name: input.family_name, email_verified: 'false' } }));
    },
    list: () => [...pool.users.values()].map(claimsOf),
  };
}
