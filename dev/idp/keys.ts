// Fresh RS256 signing keys for each local IdP run, so no key material is ever
// committed and every test run gets its own issuer keys.
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export async function generateRs256Jwk(kidPrefix: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `${kidPrefix}-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

/** Random keys for oidc-provider's signed cookies. */
export function cookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}
