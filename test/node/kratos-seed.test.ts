/**
 * makeIdentities: deterministic by seed, exact shares, created_at around the
 * window, and hashes in Kratos' formats (the pbkdf2 ones really derived from
 * the seed password).
 */
import { pbkdf2Sync } from 'node:crypto';
import { expect, it } from 'vitest';
import { DEFAULT_SEED_PASSWORD, hashKindOf, makeIdentities } from '../../dev/kratos-admin/index.ts';

const from = '2025-03-01T00:00:00.000Z';
const to = '2025-03-02T00:00:00.000Z';

it('is deterministic for a seed and different across seeds', () => {
  expect(makeIdentities(50, { seed: 42, from, to })).toEqual(makeIdentities(50, { seed: 42, from, to }));
  expect(makeIdentities(5, { seed: 1 })[0]!.id).not.toBe(makeIdentities(5, { seed: 2 })[0]!.id);
});

it('applies every share as an exact count', () => {
  const list = makeIdentities(100, { seed: 3, from, to, legacyShare: 0.25, hashShare: 0.6 });
  const inWindow = list.filter((i) => i.created_at >= from && i.created_at <= to);
  expect(list.filter((i) => i.created_at < from)).toHaveLength(10);
  expect(list.filter((i) => i.created_at > to)).toHaveLength(10);
  expect(inWindow).toHaveLength(80);
  expect(list.filter((i) => i.metadata_admin?.legacy_auth0_id)).toHaveLength(25);
  expect(list.filter((i) => i.credentials?.password)).toHaveLength(60);
  expect(list.filter((i) => i.credentials?.code)).toHaveLength(40);
  expect(list.filter((i) => !i.verifiable_addresses[0]!.verified)).toHaveLength(15);
  expect(list.filter((i) => i.external_id)).toHaveLength(20);
  expect(list.filter((i) => i.traits.first_name === undefined)).toHaveLength(15);
  expect(list.filter((i) => i.traits.first_name !== undefined && i.traits.last_name === undefined)).toHaveLength(15);
  expect(new Set(list.map((i) => i.traits.email)).size).toBe(100);
});

it('produces every Kratos hash format, with real pbkdf2 hashes', () => {
  const list = makeIdentities(30, { seed: 4, hashShare: 1 });
  const hashes = list.map((i) => i.credentials!.password!.config!.hashed_password as string);
  const kinds = hashes.map(hashKindOf);
  expect(kinds.filter((k) => k === 'bcrypt')).toHaveLength(10);
  expect(kinds.filter((k) => k === 'argon2id')).toHaveLength(10);
  expect(kinds.filter((k) => k === 'pbkdf2')).toHaveLength(10);
  for (const hash of hashes) {
    if (hashKindOf(hash) === 'bcrypt') expect(hash).toMatch(/^\$2[ab]\$12\$[./A-Za-z0-9]{53}$/);
    if (hashKindOf(hash) === 'argon2id') expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=1,p=2\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    if (hashKindOf(hash) === 'pbkdf2') {
      const [, , params, salt, key] = hash.split('$');
      const iterations = Number(/i=(\d+)/.exec(params!)![1]);
      const derived = pbkdf2Sync(DEFAULT_SEED_PASSWORD, Buffer.from(salt!, 'base64'), iterations, 32, 'sha256');
      expect(derived.toString('base64').replace(/=+$/, '')).toBe(key);
    }
  }
});

it('gives verified addresses a verified_at and unverified ones none', () => {
  for (const identity of makeIdentities(40, { seed: 5 })) {
    const [address] = identity.verifiable_addresses;
    expect(address!.status).toBe(address!.verified ? 'completed' : 'sent');
    expect(address!.verified_at !== undefined).toBe(address!.verified);
  }
});

it('rejects bad arguments with clear messages', () => {
  expect(() => makeIdentities(-1)).toThrow(/non-negative integer/);
  expect(() => makeIdentities(1, { legacyShare: 2 })).toThrow(/legacyShare must be within \[0, 1\]/);
  expect(() => makeIdentities(1, { from: 'soon' })).toThrow(/from is not a valid date/);
});
