// Seeds realistic Olympus (Kratos) identities for reconcile tests: created_at
// spread over a window with some before and after it, some imported from
// Auth0 (metadata_admin.legacy_auth0_id), password hashes of every Kratos
// format, passwordless (code) users, missing names, unverified emails and
// external ids. Deterministic for a given seed; every share is applied as an
// exact count (round(n × share)) so tests can assert on totals.
import type { KratosIdentity } from './identity-types.ts';
import { HASH_KINDS, makeHash } from './kratos-hashes.ts';
import { SeededRandom } from './seeded-random.ts';

export interface MakeIdentitiesOptions {
  /** Window start (default 2025-01-01T00:00:00Z). */
  from?: Date | string;
  /** Window end (default: one day after `from`). */
  to?: Date | string;
  /** Share with metadata_admin.legacy_auth0_id, i.e. imported from Auth0 (default 0.3). */
  legacyShare?: number;
  /** Share with a password credential; hashes cycle bcrypt/argon2id/pbkdf2 (default 0.8). The rest use the `code` method. */
  hashShare?: number;
  /** Share created outside the window, half before and half after it (default 0.2). */
  outsideShare?: number;
  /** Share whose email is not verified (default 0.15). */
  unverifiedShare?: number;
  /** Share with an external_id (default 0.2). */
  externalIdShare?: number;
  /** Share without any name trait (default 0.15). */
  noNameShare?: number;
  /** Share with first_name only (default 0.15). */
  firstNameOnlyShare?: number;
  /** Default 1. */
  seed?: number;
  /** Emails are `${emailPrefix}${i}@${emailDomain}`; prefix default `user-s<seed>-`. */
  emailPrefix?: string;
  emailDomain?: string;
  /** Password behind the (real) pbkdf2 hashes (default "Correct-Horse-Battery-9"). */
  password?: string;
  schemaId?: string;
}

export const DEFAULT_SEED_PASSWORD = 'Correct-Horse-Battery-9';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Linus', 'Margaret', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Torvalds', 'Hamilton', 'Berners-Lee'];
const ID_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function toMs(value: Date | string, name: string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`makeIdentities: ${name} is not a valid date: ${String(value)}`);
  return ms;
}

function checkShare(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`makeIdentities: ${name} must be within [0, 1], got ${value}`);
  return value;
}

/** Exactly round(n × share) indices, chosen by the PRNG. */
function pickIndices(rng: SeededRandom, n: number, share: number): Set<number> {
  return new Set(rng.permutation(n).slice(0, Math.round(n * share)));
}

export function makeIdentities(n: number, options: MakeIdentitiesOptions = {}): KratosIdentity[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`makeIdentities: n must be a non-negative integer, got ${n}`);
  const seed = options.seed ?? 1;
  const rng = new SeededRandom(seed);
  const from = toMs(options.from ?? '2025-01-01T00:00:00Z', 'from');
  const to = options.to === undefined ? from + 86_400_000 : toMs(options.to, 'to');
  if (to <= from) throw new Error('makeIdentities: `to` must be after `from`');
  const span = to - from;
  const prefix = options.emailPrefix ?? `user-s${seed}-`;
  const domain = options.emailDomain ?? 'example.test';
  const password = options.password ?? DEFAULT_SEED_PASSWORD;

  const legacy = pickIndices(rng, n, checkShare('legacyShare', options.legacyShare ?? 0.3));
  const hashed = [...pickIndices(rng, n, checkShare('hashShare', options.hashShare ?? 0.8))];
  const hashKind = new Map(hashed.map((idx, k) => [idx, HASH_KINDS[k % HASH_KINDS.length]!]));
  const outside = [...pickIndices(rng, n, checkShare('outsideShare', options.outsideShare ?? 0.2))];
  const before = new Set(outside.filter((_, k) => k % 2 === 0));
  const after = new Set(outside.filter((_, k) => k % 2 === 1));
  const unverified = pickIndices(rng, n, checkShare('unverifiedShare', options.unverifiedShare ?? 0.15));
  const external = pickIndices(rng, n, checkShare('externalIdShare', options.externalIdShare ?? 0.2));
  const nameOrder = rng.permutation(n);
  const noName = new Set(nameOrder.slice(0, Math.round(n * checkShare('noNameShare', options.noNameShare ?? 0.15))));
  const firstOnly = new Set(
    nameOrder.slice(noName.size, noName.size + Math.round(n * checkShare('firstNameOnlyShare', options.firstNameOnlyShare ?? 0.15))),
  );

  const identities: KratosIdentity[] = [];
  for (let i = 0; i < n; i++) {
    const offset = rng.next() * span;
    const createdMs = Math.floor(before.has(i) ? from - 1000 - offset : after.has(i) ? to + 1000 + offset : from + offset);
    const created = new Date(createdMs).toISOString();
    const updated = new Date(createdMs + rng.int(3_600_000)).toISOString();
    const email = `${prefix}${i + 1}@${domain}`.toLowerCase();
    const verified = !unverified.has(i);
    const traits: KratosIdentity['traits'] = { email };
    if (!noName.has(i)) traits.first_name = rng.pick(FIRST_NAMES);
    if (!noName.has(i) && !firstOnly.has(i)) traits.last_name = rng.pick(LAST_NAMES);

    const kind = hashKind.get(i);
    const credentials: KratosIdentity['credentials'] = kind
      ? {
          password: {
            type: 'password',
            identifiers: [email],
            version: 0,
            config: { hashed_password: makeHash(kind, rng, password) },
            created_at: created,
            updated_at: created,
          },
        }
      : {
          code: {
            type: 'code',
            identifiers: [email],
            version: 1,
            config: { addresses: [{ channel: 'email', address: email }] },
            created_at: created,
            updated_at: created,
          },
        };

    identities.push({
      id: rng.uuid(),
      schema_id: options.schemaId ?? 'default',
      state: 'active',
      state_changed_at: created,
      traits,
      verifiable_addresses: [
        {
          id: rng.uuid(),
          value: email,
          verified,
          via: 'email',
          status: verified ? 'completed' : 'sent',
          ...(verified ? { verified_at: new Date(createdMs + 60_000 + rng.int(600_000)).toISOString() } : {}),
          created_at: created,
          updated_at: verified ? updated : created,
        },
      ],
      recovery_addresses: [{ id: rng.uuid(), value: email, via: 'email', created_at: created, updated_at: created }],
      metadata_public: null,
      metadata_admin: legacy.has(i) ? { legacy_auth0_id: `auth0|${rng.bytes(12).toString('hex')}` } : null,
      ...(external.has(i) ? { external_id: `crm-${rng.string(10, ID_CHARS)}` } : {}),
      organization_id: null,
      created_at: created,
      updated_at: updated,
      credentials,
    });
  }
  return identities;
}
