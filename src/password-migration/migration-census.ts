/**
 * How far the password migration has come, counted from Olympus's
 * identities (Kratos admin API, `include_credential=password`): an identity
 * imported with `use_password_migration_hook: true` and no `hashed_password`
 * is still pending (its user has not signed in to Olympus since the import);
 * once the hook matched, Kratos stores its own hash (and drops the flag), so
 * an identity with a hash has its password in Olympus, migrated through the
 * hook or set there (a sign-up, a recovery, an import with a hash): Kratos
 * keeps no trace of which. Identities without a password credential (social
 * sign-in, passkeys) are counted apart. Pure: the caller pages.
 */
export interface MigrationCensus {
  total: number;
  /** A password hash in Olympus. */
  withHash: number;
  /** The hook flag and no hash: the user's first Olympus sign-in will call the hook. */
  pending: number;
  /** No password credential, or one with neither a hash nor the flag (cannot sign in by password). */
  noPassword: number;
}

export const EMPTY_CENSUS: MigrationCensus = { total: 0, withHash: 0, pending: 0, noPassword: 0 };

type IdentityLike = { credentials?: { password?: { config?: unknown } } };

export function passwordState(identity: IdentityLike): 'with_hash' | 'pending' | 'no_password' {
  const config = identity.credentials?.password?.config as { hashed_password?: unknown; use_password_migration_hook?: unknown } | undefined;
  if (typeof config?.hashed_password === 'string' && config.hashed_password !== '') return 'with_hash';
  if (config?.use_password_migration_hook === true) return 'pending';
  return 'no_password';
}

export function addToCensus(census: MigrationCensus, identities: readonly IdentityLike[]): MigrationCensus {
  const next = { ...census, total: census.total + identities.length };
  for (const identity of identities) {
    const state = passwordState(identity);
    if (state === 'with_hash') next.withHash++;
    else if (state === 'pending') next.pending++;
    else next.noPassword++;
  }
  return next;
}

/** Share of password users whose password is in Olympus: withHash / (withHash + pending); undefined without any. */
export function migratedShare(census: MigrationCensus): number | undefined {
  const users = census.withHash + census.pending;
  return users === 0 ? undefined : census.withHash / users;
}
