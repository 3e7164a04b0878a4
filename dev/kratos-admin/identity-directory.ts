// The Olympus stand-in's users as Kratos identities: one Map that the Kratos
// admin stand-in serves (GET /admin/identities, with the password hash under
// include_credential=password) and the Olympus sign-in and sign-up pages use.
// A sign-up writes the identity the way Kratos' password strategy does
// (traits, unverified verifiable and recovery addresses, a password
// credential with the hash), then runs the after-registration hooks, as
// Kratos runs `selfservice.flows.registration.after.password.hooks`.
//
// Hashes are PBKDF2-SHA256 PHC strings (Kratos' hasher_pbkdf2.go format): real
// and checkable with node:crypto, accepted by Auth0's user import as
// custom_password_hash. Kratos' own default hasher is bcrypt, which Node does
// not have built in; the reconcile carries bcrypt the same way (password_hash at
// cost 10, custom_password_hash bcrypt at any other cost).
import { randomBytes, randomUUID } from 'node:crypto';
import type { SeedUser, UserClaims, UserDirectory } from '../idp/users.ts';
import type { KratosIdentity } from './identity-types.ts';
import { pbkdf2Sha256, verifyPbkdf2 } from './kratos-hashes.ts';

/** Kratos' own pbkdf2 default is higher; this keeps a stand-in sign-in in the low milliseconds. */
const PBKDF2_ITERATIONS = 25_000;

export interface IdentitySeed extends SeedUser {
  /** The Auth0 user id this identity was imported from (metadata_admin.legacy_auth0_id). */
  legacyAuth0Id?: string;
  /** ISO time; default now. */
  createdAt?: string;
}

export interface IdentityDirectoryOptions {
  /** Kratos' after-registration hooks (the web hook to the gateway, the courier); awaited, like Kratos' blocking hooks. */
  afterRegistration?: (identity: KratosIdentity) => Promise<void>;
  /**
   * Kratos' password migration hook (selfservice.methods.password.config.migrate_hook): asked
   * for an identity whose password credential has `use_password_migration_hook: true` and no
   * hash (imported without one); true means the password matched, and Kratos then hashes it and
   * stores it in place of the flag. Unset: such an identity cannot sign in with a password.
   */
  passwordMigration?: (identity: KratosIdentity, password: string) => Promise<boolean>;
}

const normalize = (email: string) => email.trim().toLowerCase();

export function hashPassword(password: string): string {
  return pbkdf2Sha256(password, randomBytes(16), PBKDF2_ITERATIONS);
}

/** A Kratos identity with a password credential, as the registration flow (or an admin import) writes it. */
export function identityFor(user: IdentitySeed): KratosIdentity {
  const now = user.createdAt ?? new Date().toISOString();
  const email = normalize(user.email);
  const verified = user.email_verified ?? true;
  return {
    id: user.sub,
    schema_id: 'default',
    state: 'active',
    state_changed_at: now,
    traits: { email, first_name: user.given_name, last_name: user.family_name },
    verifiable_addresses: [{
      id: randomUUID(),
      value: email,
      verified,
      via: 'email',
      status: verified ? 'completed' : 'sent',
      ...(verified ? { verified_at: now } : {}),
      created_at: now,
      updated_at: now,
    }],
    recovery_addresses: [{ id: randomUUID(), value: email, via: 'email', created_at: now, updated_at: now }],
    metadata_public: null,
    metadata_admin: user.legacyAuth0Id ? { legacy_auth0_id: user.legacyAuth0Id } : null,
    created_at: now,
    updated_at: now,
    credentials: {
      password: { type: 'password', identifiers: [email], version: 0, config: { hashed_password: hashPassword(user.password) }, created_at: now, updated_at: now },
    },
  };
}

function claimsOf(identity: KratosIdentity): UserClaims {
  const email = String(identity.traits.email ?? '');
  const given = typeof identity.traits.first_name === 'string' ? identity.traits.first_name : '';
  const family = typeof identity.traits.last_name === 'string' ? identity.traits.last_name : '';
  return {
    sub: identity.id,
    email,
    email_verified: identity.verifiable_addresses.some((a) => a.verified && normalize(a.value) === normalize(email)),
    given_name: given,
    family_name: family,
    name: `${given} ${family}`.trim(),
  };
}

export class KratosIdentityDirectory implements UserDirectory {
  constructor(
    readonly identities: Map<string, KratosIdentity>,
    private readonly options: IdentityDirectoryOptions = {},
  ) {}

  #byIdentifier(email: string): KratosIdentity | undefined {
    const wanted = normalize(email);
    for (const identity of this.identities.values()) {
      if (identity.credentials?.password?.identifiers.includes(wanted)) return identity;
    }
    return undefined;
  }

  findBySub(sub: string): UserClaims | undefined {
    const identity = this.identities.get(sub);
    return identity ? claimsOf(identity) : undefined;
  }

  findByEmail(email: string): UserClaims | undefined {
    const wanted = normalize(email);
    const identity = [...this.identities.values()].find((i) => normalize(String(i.traits.email ?? '')) === wanted);
    return identity ? claimsOf(identity) : undefined;
  }

  verify(email: string, password: string): UserClaims | undefined | Promise<UserClaims | undefined> {
    const identity = this.#byIdentifier(email);
    const config = identity?.credentials?.password?.config;
    if (!identity || identity.state !== 'active' || !config) return undefined;
    const hash = config.hashed_password;
    if (typeof hash === 'string') return verifyPbkdf2(hash, password) ? claimsOf(identity) : undefined;
    if (config.use_password_migration_hook === true && this.options.passwordMigration) return this.#migrate(identity, password);
    return undefined;
  }

  async #migrate(identity: KratosIdentity, password: string): Promise<UserClaims | undefined> {
    if (!(await this.options.passwordMigration!(identity, password))) return undefined;
    const credential = identity.credentials!.password!;
    const now = new Date().toISOString();
    credential.config = { hashed_password: hashPassword(password) };
    credential.updated_at = now;
    identity.updated_at = now;
    return claimsOf(identity);
  }

  async signUp(input: Omit<SeedUser, 'sub'>): Promise<UserClaims> {
    if (this.#byIdentifier(input.email) || this.findByEmail(input.email)) throw new Error('An account with the same identifier (email) exists already.');
    const identity = identityFor({ ...input, sub: randomUUID(), email_verified: false });
    this.identities.set(identity.id, identity);
    await this.options.afterRegistration?.(identity);
    return claimsOf(identity);
  }

  list(): UserClaims[] {
    return [...this.identities.values()].map(claimsOf);
  }

  /** An admin import with a password (POST /admin/identities): the given id, a Kratos hash of the password. */
  importUser(user: SeedUser): UserClaims {
    const identity = identityFor({ ...user, email_verified: true });
    this.identities.set(identity.id, identity);
    return claimsOf(identity);
  }
}
