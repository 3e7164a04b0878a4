// The Clerk-like OIDC stand-in's users are the Backend API stand-in's users:
// one instance, so a user a reconcile creates (with a carried bcrypt or
// pbkdf2 digest) signs in at once with the password they had, and a password
// the hook checks is the one the sign-in page checks. Locked or banned users
// do not sign in; a user without a password (created without one) neither.
import type { SeedUser, UserClaims, UserDirectory } from '../idp/users.ts';
import { ClerkInstance, passwordMatches, plainPassword, type ClerkUserRecord } from './instance.ts';

function claimsOf(u: ClerkUserRecord): UserClaims {
  const given = u.firstName ?? '';
  const family = u.lastName ?? '';
  return { sub: u.id, email: u.emails[0]?.address ?? '', email_verified: true, given_name: given, family_name: family, name: `${given} ${family}`.trim() };
}

/** Seeds the OIDC stand-in's default users (ids `user_...`) into the instance. */
export function seedInstanceUsers(instance: ClerkInstance, users: SeedUser[]): void {
  for (const u of users) instance.seed({ id: u.sub, email: u.email, password: u.password, firstName: u.given_name, lastName: u.family_name });
}

export function instanceDirectory(instance: ClerkInstance): UserDirectory {
  return {
    findBySub: (sub) => {
      const u = instance.users.get(sub);
      return u ? claimsOf(u) : undefined;
    },
    findByEmail: (email) => {
      const u = instance.byEmail(email);
      return u ? claimsOf(u) : undefined;
    },
    verify: async (email, password) => {
      const u = instance.byEmail(email);
      if (!u || !u.password || u.locked || u.banned) return undefined;
      try {
        return (await passwordMatches(u.password, password)) ? claimsOf(u) : undefined;
      } catch {
        return undefined;
      }
    },
    signUp: (input) => {
      if (instance.byEmail(input.email)) throw new Error('That email address is taken. Please try another.');
      return claimsOf(instance.add({ email: input.email, firstName: input.given_name, lastName: input.family_name, password: plainPassword(input.password) }));
    },
    list: () => [...instance.users.values()].map(claimsOf),
  };
}
