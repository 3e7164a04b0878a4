// Verifies the gateway's X-Auth-Assertion (ES256 JWT) against the gateway JWKS,
// the way a real origin behind switchback should. Lenient on purpose: only
// signature, issuer and the presence of a provider claim are checked.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

export type AssertionStatus =
  | { state: 'absent' }
  | { state: 'valid'; claims: JWTPayload }
  | { state: 'invalid'; reason: string }
  | { state: 'unverifiable'; reason: string };

export function assertionVerifier(gatewayUrl: string | undefined) {
  const jwks = gatewayUrl
    ? createRemoteJWKSet(new URL(`${gatewayUrl}/.well-known/switchback/jwks.json`), { cooldownDuration: 1_000 })
    : undefined;
  return async (token: string | undefined): Promise<AssertionStatus> => {
    if (!token) return { state: 'absent' };
    if (!jwks || !gatewayUrl) return { state: 'unverifiable', reason: 'origin started without gatewayUrl' };
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: gatewayUrl, algorithms: ['ES256'] });
      if (payload.provider === undefined && payload.iss_provider === undefined) {
        return { state: 'invalid', reason: 'no provider claim' };
      }
      return { state: 'valid', claims: payload };
    } catch (err) {
      return { state: 'invalid', reason: (err as Error).message };
    }
  };
}

export function describeAssertion(status: AssertionStatus): string {
  switch (status.state) {
    case 'valid':
      return 'valid';
    case 'absent':
      return 'absent';
    default:
      return `${status.state}: ${status.reason}`;
  }
}
