/**
 * The hot path's shortcuts (issue 14) keep the answers of the slow forms they
 * replaced: stripping identity headers folds only names that can fold to
 * `x-auth-`, and the opaque-token routing is worked out once per
 * configuration. Both are checked against the original definitions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isIdentityHeaderName, stripIdentityHeaders } from '../../src/origin/identity-headers.ts';
import { opaqueProvider } from '../../src/verify/access-token-verifier.ts';
import type { GatewayConfig, ProviderOptions } from '../../src/config.ts';
import { PROVIDER_IDS } from '../../src/core/provider-id.ts';
import { kindOf } from '../../src/providers/kinds/registry.ts';

/** RFC 9110 token characters: what a header name may hold. */
const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const headerName = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 20 }),
  // Names near the reserved prefix, in every spelling a CGI-style server would merge.
  fc.tuple(fc.constantFrom('x', 'X'), fc.constantFrom('-', '_', '.', '~'), fc.constantFrom('auth', 'AUTH', 'Auth', 'aut'), fc.constantFrom('-', '_', '.', ''), fc.string({ unit: fc.constantFrom(...TCHAR), maxLength: 8 })).map((p) => p.join('')),
);

describe('stripIdentityHeaders', () => {
  it('removes exactly the names isIdentityHeaderName reserves (every name folded)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(headerName, { maxLength: 12, comparator: (a, b) => a.toLowerCase() === b.toLowerCase() }), (names) => {
        const headers = new Headers(names.map((n) => [n, 'v']));
        stripIdentityHeaders(headers);
        const kept = [...headers.keys()];
        const expected = names.map((n) => n.toLowerCase()).filter((n) => !isIdentityHeaderName(n));
        expect(kept.sort()).toEqual(expected.sort());
      }),
      { numRuns: 500 },
    );
  });

  it('strips the CGI spellings and keeps look-alikes', () => {
    const headers = new Headers({ 'X_Auth_Sub': 'a', 'x.auth.email': 'b', 'X-AUTH-ANYTHING': 'c', 'x-auth-assertion': 'd', xauth: 'e', 'x-authz': 'f', accept: 'g', authorization: 'h' });
    stripIdentityHeaders(headers);
    expect([...headers.keys()].sort()).toEqual(['accept', 'authorization', 'x-authz', 'xauth']);
  });
});

function provider(id: (typeof PROVIDER_IDS)[number], kind: ProviderOptions['kind'], accessTokenFormat: ProviderOptions['accessTokenFormat']): ProviderOptions {
  return { id, kind, accessTokenFormat, issuer: `https://${id}.test/` } as ProviderOptions;
}

function config(auth0: ProviderOptions, olympus: ProviderOptions): GatewayConfig {
  return { providers: { auth0, olympus } } as unknown as GatewayConfig;
}

/** The definition before issue 14, rebuilt per call. */
function referenceOpaqueProvider(c: GatewayConfig, token: string): ProviderOptions | undefined {
  const accepting = PROVIDER_IDS.map((id) => c.providers[id]).filter((p) => p.accessTokenFormat !== 'jwt');
  const prefixed = accepting.find((p) => {
    const prefix = kindOf(p).opaqueTokenPrefix;
    return prefix !== undefined && token.startsWith(prefix);
  });
  return prefixed ?? accepting.find((p) => kindOf(p).opaqueTokenPrefix === undefined);
}

describe('opaqueProvider', () => {
  const kinds = ['auth0', 'clerk', 'cognito', 'ory'] as const;
  const formats = ['jwt', 'opaque', 'auto'] as const;
  const tokens = ['ory_at_abc.def', 'oat_0ef5a7', 'oat', 'opaque-token', ''];

  it('chooses what the per-request definition chose, for every kind and format of both providers', () => {
    for (const legacyKind of kinds)
      for (const legacyFormat of formats)
        for (const olympusFormat of formats) {
          const c = config(provider('auth0', legacyKind, legacyFormat), provider('olympus', 'ory', olympusFormat));
          for (const token of tokens) expect(opaqueProvider(c, token)?.id, `${legacyKind}/${legacyFormat}/${olympusFormat} ${token}`).toBe(referenceOpaqueProvider(c, token)?.id);
        }
  });

  it('sends a Clerk oat_ token to Clerk and anything else to Hydra', () => {
    const c = config(provider('auth0', 'clerk', 'auto'), provider('olympus', 'ory', 'auto'));
    expect(opaqueProvider(c, 'oat_123')?.id).toBe('auth0');
    expect(opaqueProvider(c, 'ory_at_123.sig')?.id).toBe('olympus');
    expect(opaqueProvider(config(provider('auth0', 'clerk', 'auto'), provider('olympus', 'ory', 'jwt')), 'ory_at_1')?.id).toBeUndefined();
  });
});
