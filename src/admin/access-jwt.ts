/**
 * Cloudflare Access in front of the admin API: the `Cf-Access-Jwt-Assertion`
 * header is verified with jose against the team's published keys (cached by
 * jose's remote key set), with the team domain as issuer and the Access
 * application's AUD tag as audience. The role comes from CF_ACCESS_ROLES,
 * by exact email or by "*@domain".
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { AdminRole, GatewayConfig } from '../config.ts';
import type { AdminActor } from './admin-auth.ts';

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(teamDomain: string): ReturnType<typeof createRemoteJWKSet> {
  let ks = keySets.get(teamDomain);
  if (!ks) {
    ks = createRemoteJWKSet(new URL(`${teamDomain}/cdn-cgi/access/certs`), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    keySets.set(teamDomain, ks);
  }
  return ks;
}

export function roleForEmail(email: string, roles: Record<string, AdminRole>): AdminRole | undefined {
  const lower = email.toLowerCase();
  for (const [k, v] of Object.entries(roles)) if (k.toLowerCase() === lower) return v;
  const domain = lower.slice(lower.lastIndexOf('@'));
  for (const [k, v] of Object.entries(roles)) if (k.startsWith('*@') && k.slice(1).toLowerCase() === domain) return v;
  return undefined;
}

export async function accessActor(assertion: string | undefined, access: NonNullable<GatewayConfig['access']>): Promise<AdminActor | undefined> {
  if (!assertion || assertion.length > 8192) return undefined;
  try {
    const { payload } = await jwtVerify(assertion, keySet(access.teamDomain), { issuer: access.teamDomain, audience: access.audience, algorithms: ['RS256'], clockTolerance: 60 });
    if (typeof payload.email !== 'string') return undefined;
    const role = roleForEmail(payload.email, access.roles);
    return role ? { name: payload.email, role } : undefined;
  } catch {
    return undefined;
  }
}
