// Password hashes in the formats Kratos stores in credentials.password.config
// .hashed_password: bcrypt ($2a$/$2b$, MCF), argon2id and pbkdf2-sha256 (PHC
// strings). PBKDF2 hashes are real (derivable from a known password); bcrypt
// and argon2 ones are syntactically valid but random, since Node 20/22 has
// neither algorithm built in and the project takes no new dependencies.
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import type { SeededRandom } from './seeded-random.ts';

export type KratosHashKind = 'bcrypt' | 'argon2id' | 'pbkdf2';
export const HASH_KINDS: readonly KratosHashKind[] = ['bcrypt', 'argon2id', 'pbkdf2'];

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** PHC strings use unpadded standard base64. */
const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

/** `$2a$12$` + 22 salt chars + 31 hash chars (Kratos' default bcrypt cost is 12). */
export function fakeBcrypt(rng: SeededRandom, variant: '2a' | '2b' = '2a', cost = 12): string {
  return `$${variant}$${String(cost).padStart(2, '0')}$${rng.string(53, BCRYPT_ALPHABET)}`;
}

/** `$argon2id$v=19$m=65536,t=1,p=2$<salt>$<hash>` with Kratos' default-ish parameters. */
export function fakeArgon2id(rng: SeededRandom): string {
  return `$argon2id$v=19$m=65536,t=1,p=2$${b64(rng.bytes(16))}$${b64(rng.bytes(32))}`;
}

/** A real `$pbkdf2-sha256$i=<iter>,l=32$<salt>$<key>` hash of `password`. */
export function pbkdf2Sha256(password: string, salt: Buffer, iterations = 1000): string {
  const key = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  return `$pbkdf2-sha256$i=${iterations},l=32$${b64(salt)}$${b64(key)}`;
}

export function makeHash(kind: KratosHashKind, rng: SeededRandom, password: string): string {
  switch (kind) {
    case 'bcrypt':
      return fakeBcrypt(rng, rng.next() < 0.5 ? '2a' : '2b');
    case 'argon2id':
      return fakeArgon2id(rng);
    case 'pbkdf2':
      return pbkdf2Sha256(password, rng.bytes(16));
  }
}

/** Which kind a stored hash is, from its prefix. */
export function hashKindOf(hash: string): KratosHashKind | undefined {
  if (/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) return 'bcrypt';
  if (hash.startsWith('$argon2id$')) return 'argon2id';
  if (hash.startsWith('$pbkdf2-')) return 'pbkdf2';
  return undefined;
}

const PBKDF2_PHC = /^\$pbkdf2-(sha1|sha256|sha512)\$i=(\d+),l=(\d+)\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;

/**
 * Checks `password` against a `$pbkdf2-<digest>$i=<iter>,l=<len>$<salt>$<key>`
 * PHC string (Kratos' hasher_pbkdf2.go format, unpadded standard base64), in
 * constant time. Any other format (bcrypt, argon2, garbage) is false: the
 * stand-ins cannot verify them without a new dependency.
 */
export function verifyPbkdf2(hash: string, password: string): boolean {
  const m = PBKDF2_PHC.exec(hash);
  if (!m) return false;
  const [, digest, iter, len, salt, key] = m as unknown as [string, string, string, string, string, string];
  const iterations = Number(iter);
  const length = Number(len);
  if (iterations < 1 || iterations > 10_000_000 || length < 1 || length > 128) return false;
  const expected = Buffer.from(key, 'base64');
  if (expected.length !== length) return false;
  const derived = pbkdf2Sync(password, Buffer.from(salt, 'base64'), iterations, length, digest);
  return timingSafeEqual(derived, expected);
}
