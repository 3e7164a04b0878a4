/**
 * Bearer access tokens from either issuer.
 *
 * JWTs: the issuer is chosen from the (unverified) `iss` and only that
 * issuer's pinned keys are tried, so a token signed with Olympus's keys that
 * claims Auth0's `iss` fails the signature check and vice versa. Opaque
 * tokens go to the one provider configured to introspect them (Hydra's
 * default). Either way the result is a Principal keyed by issuer + sub.
 */
import { jwtVerify, type JWTPayload } from 'jose';
import type { GatewayConfig, ProviderOptions } from '../config.ts';
import { PROVIDER_IDS } from '../core/provider-id.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { resolveIssuerKey } from '../providers/key-set-cache.ts';
import { introspect } from './introspection-client.ts';
import { fromJoseError } from './jose-error-map.ts';
import { peekJwt } from './jwt-shape.ts';
import { emailVerifiedOf, scopesOf, type Principal } from './principal.ts';
import { VerifyError } from './verify-error.ts';
import { kindOf } from '../providers/kinds/registry.ts';

import { CLOCK_SKEW_SECONDS } from './clock.ts';
import { verifiedOnce } from './verified-cache.ts';
const ACCESS_TOKEN_TYPS = new Set(['jwt', 'at+jwt']);

export function providerForIssuer(config: GatewayConfig, iss: unknown): ProviderOptions | undefined {
  if (typeof iss !== 'string') return undefined;
  for (const id of PROVIDER_IDS) if (config.providers[id].issuer === iss) return config.providers[id];
  return undefined;
}

function normalizeTyp(typ: string): string {
  const t = typ.toLowerCase();
  return t.startsWith('application/') ? t.slice('application/'.length) : t;
}

function looksLikeIdToken(p: ProviderOptions, claims: JWTPayload): boolean {
  if ('nonce' in claims || 'at_hash' in claims || 'c_hash' in claims) return true;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  return aud.length === 1 && aud[0] === p.clientId && !('scope' in claims) && !('scp' in claims);
}

async function verifyJwt(config: GatewayConfig, token: string, now: number): Promise<Principal> {
  const { header, claims } = peekJwt(token, config.maxTokenBytes);
  const p = providerForIssuer(config, claims.iss);
  if (!p) throw new VerifyError('issuer_unknown', typeof claims.iss === 'string' ? claims.iss.slice(0, 200) : 'iss missing');
  if (p.accessTokenFormat === 'opaque') throw new VerifyError('typ_not_access_token', 'issuer is configured for opaque access tokens', p.issuer);
  if (!p.algorithms.includes(header.alg!)) throw new VerifyError('alg_not_allowed', header.alg, p.issuer);
  if (header.typ !== undefined && !ACCESS_TOKEN_TYPS.has(normalizeTyp(String(header.typ)))) {
    throw new VerifyError('typ_not_access_token', String(header.typ).slice(0, 40), p.issuer);
  }
  if (looksLikeIdToken(p, claims)) throw new VerifyError('id_token_as_access_token', undefined, p.issuer);
  let meta;
  try {
    meta = await getProviderMetadata(p.issuer);
  } catch (err) {
    throw new VerifyError('keys_unavailable', String(err), p.issuer);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (h) => resolveIssuerKey(p.issuer, meta.jwks_uri, h), {
      issuer: p.issuer,
      audience: p.audience,
      algorithms: p.algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(now),
    }));
  } catch (err) {
    throw fromJoseError(err, p.issuer);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new VerifyError('claim_invalid', 'sub', p.issuer);
  // The kind's rules: binding to this gateway, and what makes its JWT an access token (Cognito's token_use, Clerk's azp...).
  kindOf(p).checkAccessClaims(p, header as Record<string, unknown>, payload);
  return {
    provider: p.id,
    issuer: p.issuer,
    sub: payload.sub,
    email: typeof payload.email === 'string' ? payload.email : undefined,
    emailVerified: emailVerifiedOf(payload),
    expiresAt: payload.exp!,
    via: 'bearer',
    scopes: scopesOf(payload),
  };
}

/**
 * The provider that introspects an opaque token: the one whose kind claims its
 * prefix (Clerk's `oat_`), else the first non-JWT provider whose kind claims
 * none (Hydra's prefix is configurable). A token is never sent to two issuers.
 */
export function opaqueProvider(config: GatewayConfig, token: string): ProviderOptions | undefined {
  const { prefixed, unprefixed } = opaqueRouting(config);
  for (const [prefix, p] of prefixed) if (token.startsWith(prefix)) return p;
  return unprefixed;
}

interface OpaqueRouting {
  /** Providers accepting opaque tokens whose kind claims a prefix, in PROVIDER_IDS order. */
  prefixed: [prefix: string, provider: ProviderOptions][];
  /** The first accepting provider whose kind claims no prefix. */
  unprefixed: ProviderOptions | undefined;
}

/** Worked out once per parsed configuration (config-middleware parses once per isolate), not per request. */
const routing = new WeakMap<GatewayConfig, OpaqueRouting>();

function opaqueRouting(config: GatewayConfig): OpaqueRouting {
  let r = routing.get(config);
  if (!r) {
    const accepting = PROVIDER_IDS.map((id) => config.providers[id]).filter((p) => p.accessTokenFormat !== 'jwt');
    r = {
      prefixed: accepting.flatMap((p) => {
        const prefix = kindOf(p).opaqueTokenPrefix;
        return prefix === undefined ? [] : [[prefix, p] as [string, ProviderOptions]];
      }),
      unprefixed: accepting.find((p) => kindOf(p).opaqueTokenPrefix === undefined),
    };
    routing.set(config, r);
  }
  return r;
}

/** Verifies a bearer access token of either kind. Throws VerifyError with the reason. */
export async function verifyAccessToken(config: GatewayConfig, token: string, now = Date.now()): Promise<Principal> {
  if (token.length > config.maxTokenBytes) throw new VerifyError('token_too_large', `${token.length} bytes`);
  const segments = token.split('.').length;
  if (segments === 5) throw new VerifyError('token_encrypted', 'JWE tokens are not accepted');
  // Three dot-separated segments is a JWS; anything else is opaque (Hydra's
  // own `ory_at_<id>.<sig>` has two).
  if (segments === 3) return verifiedOnce(config, 'jwt', token, now, CLOCK_SKEW_SECONDS, () => verifyJwt(config, token, now));
  const p = opaqueProvider(config, token);
  if (!p) throw new VerifyError('token_malformed', 'no provider accepts opaque tokens');
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(token)) throw new VerifyError('token_malformed', 'opaque token has characters outside RFC 6750 b64token');
  return introspect(config, p, token, now);
}
