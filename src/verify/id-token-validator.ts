/**
 * ID token validation at the callback (OIDC Core §3.1.3.7): signature with the
 * provider's pinned keys and allowed algorithms, `iss`, `aud` = our client id,
 * `azp` when several audiences, `exp`, `iat`, and the `nonce` we sent.
 */
import { jwtVerify, type JWTPayload } from 'jose';
import type { GatewayConfig, ProviderOptions } from '../config.ts';
import type { ProviderMetadata } from '../providers/discovery.ts';
import { resolveIssuerKey } from '../providers/key-set-cache.ts';
import { CLOCK_SKEW_SECONDS } from './clock.ts';
import { fromJoseError } from './jose-error-map.ts';
import { peekJwt } from './jwt-shape.ts';
import { VerifyError } from './verify-error.ts';
import { kindOf } from '../providers/kinds/registry.ts';

export async function validateIdToken(config: GatewayConfig, p: ProviderOptions, meta: ProviderMetadata, idToken: string, nonce: string, now = Date.now()): Promise<JWTPayload & { sub: string }> {
  const { header } = peekJwt(idToken, config.maxTokenBytes);
  if (!p.algorithms.includes(header.alg!)) throw new VerifyError('alg_not_allowed', header.alg, p.issuer);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, (h) => resolveIssuerKey(p.issuer, meta.jwks_uri, h), {
      issuer: p.issuer,
      audience: p.clientId,
      algorithms: p.algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
      currentDate: new Date(now),
    }));
  } catch (err) {
    throw fromJoseError(err, p.issuer);
  }
  if (payload.nonce !== nonce) throw new VerifyError('claim_invalid', 'nonce', p.issuer);
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== p.clientId) throw new VerifyError('claim_invalid', 'azp', p.issuer);
  if (typeof payload.sub !== 'string' || !payload.sub) throw new VerifyError('claim_invalid', 'sub', p.issuer);
  kindOf(p).checkIdTokenClaims(p, payload);
  return payload as JWTPayload & { sub: string };
}
