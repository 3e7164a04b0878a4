/**
 * The verified-credential cache (src/verify/verified-cache.ts, issue 14)
 * saves the signature check or decryption of a credential seen again, and
 * nothing else: an expired credential, a refused one, another configuration
 * or another credential is verified again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.ts';
import type { Principal } from '../../src/verify/principal.ts';
import { VerifyError } from '../../src/verify/verify-error.ts';
import { clearVerifiedCache, credentialHash, VERIFIED_TTL_MS, verifiedOnce } from '../../src/verify/verified-cache.ts';

const T0 = 1_800_000_000_000;
const config = {} as GatewayConfig;
const principal = (expiresAt: number): Principal => ({ provider: 'auth0', issuer: 'https://idp.test/', sub: 'alice', email: undefined, emailVerified: undefined, expiresAt, via: 'bearer', scopes: ['read'] });

function counted(make: () => Principal) {
  const calls = { n: 0 };
  return { calls, verify: async () => (calls.n++, make()) };
}

beforeEach(() => clearVerifiedCache());

describe('verified credentials cache', () => {
  it('verifies a credential once, then answers from the cache while fresh', async () => {
    const { calls, verify } = counted(() => principal(T0 / 1000 + 3600));
    const first = await verifiedOnce(config, 'jwt', 'token-a', T0, 30, verify);
    const again = await verifiedOnce(config, 'jwt', 'token-a', T0 + VERIFIED_TTL_MS - 1, 30, verify);
    expect(calls.n).toBe(1);
    expect(again).toBe(first);
    expect(Object.isFrozen(again) && Object.isFrozen(again.scopes)).toBe(true);
  });

  it('verifies again once the credential itself has expired (with the tolerance its check allows), and a refusal then stands', async () => {
    const exp = T0 / 1000 + 10;
    let valid = true;
    const { calls, verify } = counted(() => {
      if (!valid) throw new VerifyError('expired');
      return principal(exp);
    });
    await verifiedOnce(config, 'jwt', 'token-a', T0, 30, verify);
    await verifiedOnce(config, 'jwt', 'token-a', (exp + 29) * 1000, 30, verify);
    expect(calls.n).toBe(1);
    valid = false;
    await expect(verifiedOnce(config, 'jwt', 'token-a', (exp + 30) * 1000, 30, verify)).rejects.toThrow(VerifyError);
    expect(calls.n).toBe(2);
  });

  it('keeps an answer at most the TTL, even for a long-lived credential', async () => {
    const { calls, verify } = counted(() => principal(T0 / 1000 + 86_400));
    await verifiedOnce(config, 'session', 'cookie', T0, 0, verify);
    await verifiedOnce(config, 'session', 'cookie', T0 + VERIFIED_TTL_MS, 0, verify);
    expect(calls.n).toBe(2);
  });

  it('never keeps a refusal', async () => {
    const { calls, verify } = counted(() => {
      throw new VerifyError('signature_invalid');
    });
    await expect(verifiedOnce(config, 'jwt', 'bad', T0, 30, verify)).rejects.toThrow(VerifyError);
    await expect(verifiedOnce(config, 'jwt', 'bad', T0, 30, verify)).rejects.toThrow(VerifyError);
    expect(calls.n).toBe(2);
  });

  it('is per credential, per kind and per configuration', async () => {
    const { calls, verify } = counted(() => principal(T0 / 1000 + 3600));
    await verifiedOnce(config, 'jwt', 'token-a', T0, 30, verify);
    await verifiedOnce(config, 'jwt', 'token-b', T0, 30, verify);
    await verifiedOnce(config, 'session', 'token-a', T0, 30, verify);
    await verifiedOnce({} as GatewayConfig, 'jwt', 'token-a', T0, 30, verify);
    expect(calls.n).toBe(4);
  });

  it('keys by a SHA-256 of the credential, not the credential', async () => {
    expect(await credentialHash('abc')).toBe('ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });
});
