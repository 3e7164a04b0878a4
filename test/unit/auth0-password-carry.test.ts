/**
 * How a Kratos hash travels to Auth0 (src/reconcile/auth0-target.ts): Auth0's
 * `password_hash` takes bcrypt $2a$/$2b$ at cost 10 only, so Kratos' default
 * cost 12 goes as `custom_password_hash` with algorithm bcrypt; and an error
 * text that quotes what was submitted (Auth0's validator does: "String does
 * not match pattern {0}: {1}") loses every password value before it is kept.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { passwordCarry, withoutSecrets } from '../../src/reconcile/auth0-target.ts';

const SALT_AND_HASH = 'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

describe('passwordCarry', () => {
  it('sends bcrypt at cost 10 as password_hash, any other bcrypt as custom_password_hash (bcrypt)', () => {
    expect(passwordCarry(`$2b$10$${SALT_AND_HASH}`)).toEqual({ kind: 'bcrypt', password_hash: `$2b$10$${SALT_AND_HASH}` });
    expect(passwordCarry(`$2a$10$${SALT_AND_HASH}`)).toEqual({ kind: 'bcrypt', password_hash: `$2a$10$${SALT_AND_HASH}` });
    for (const h of [`$2a$12$${SALT_AND_HASH}`, `$2b$04$${SALT_AND_HASH}`, `$2y$10$${SALT_AND_HASH}`, `$2y$12$${SALT_AND_HASH}`]) {
      expect(passwordCarry(h), h).toEqual({ kind: 'custom', custom_password_hash: { algorithm: 'bcrypt', hash: { value: h, encoding: 'utf8' } } });
    }
  });

  it('carries argon2 and pbkdf2 as before, and nothing it cannot name', () => {
    expect(passwordCarry('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).toMatchObject({ kind: 'custom', custom_password_hash: { algorithm: 'argon2' } });
    expect(passwordCarry('$pbkdf2-sha256$i=100000,l=32$c2FsdA$aGFzaA')).toMatchObject({ kind: 'custom', custom_password_hash: { algorithm: 'pbkdf2' } });
    for (const h of [undefined, '', '$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA', `$2b$10$${SALT_AND_HASH.slice(1)}`, `$2x$10$${SALT_AND_HASH}`]) expect(passwordCarry(h)).toEqual({ kind: 'none' });
  });
});

describe('withoutSecrets', () => {
  it('cuts every submitted value out of an error text, wherever it appears', () => {
    const hash = `$2a$12$${SALT_AND_HASH}`;
    const text = `PATTERN: String does not match pattern ^\\$2[ab]?\\$10+\\$[./A-Za-z0-9]{53}$: ${hash}; again ${hash}`;
    const out = withoutSecrets(text, [hash, undefined]);
    expect(out).not.toContain(SALT_AND_HASH);
    expect(out).toBe('PATTERN: String does not match pattern ^\\$2[ab]?\\$10+\\$[./A-Za-z0-9]{53}$: [redacted]; again [redacted]');
  });

  it('never returns a secret of 8 characters or more, for any text around it', () => {
    // Secrets as hashes are written (MCF/PHC and base64 characters): never '[' or ']', so the marker cannot rebuild one.
    const HASH_CHARS = '$./+=,-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split('');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ unit: fc.constantFrom(...HASH_CHARS), minLength: 8, maxLength: 80 }), fc.string({ maxLength: 200 }), (before, secret, after) => {
        // Outside the markers: a secret spelled like the marker's own word ("redacted") is still gone.
        for (const part of withoutSecrets(`${before}${secret}${after}${secret}`, [secret]).split('[redacted]')) expect(part).not.toContain(secret);
      }),
    );
  });

  it('keeps an error readable: short values are left, long texts are cut at 500 characters', () => {
    expect(withoutSecrets('code x: too short', ['x'])).toBe('code x: too short');
    expect(withoutSecrets('e'.repeat(2000), [])).toHaveLength(501);
  });
});
