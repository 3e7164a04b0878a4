/** Cloudflare Access JWTs on the admin API, verified with jose against the team's keys. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import app from '../../src/worker.ts';
import { installNetwork } from './support/fake-network.ts';
import { resetState } from './support/gateway.ts';
import { roleForEmail } from '../../src/admin/access-jwt.ts';
import { ADMIN } from './support/constants.ts';

const TEAM = 'https://example-team.cloudflareaccess.test';
const AUD = 'access-app-aud-tag';
let keys: Awaited<ReturnType<typeof generateKeyPair>> | undefined;
let certsServed = 0;

beforeEach(async () => {
  await resetState();
  await installNetwork();
  // One key pair per file: jose caches the team's key set per isolate (10 min), as it does in production.
  keys ??= await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'access-1', alg: 'RS256' };
  const inner = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new Request(input as RequestInfo, init).url;
    if (url === `${TEAM}/cdn-cgi/access/certs`) {
      certsServed++;
      return Response.json({ keys: [jwk] });
    }
    return inner(input, init);
  });
});
afterEach(() => vi.restoreAllMocks());

const accessEnv = { ...(env as unknown as Record<string, unknown>), CF_ACCESS_TEAM_DOMAIN: TEAM, CF_ACCESS_AUD: AUD, CF_ACCESS_ROLES: JSON.stringify({ 'lead@example.com': 'eng-lead', '*@example.com': 'viewer' }) };

async function call(path: string, assertion?: string, init: RequestInit = {}) {
  const req = new Request(`https://gateway.test/_switchback/api${path}`, { ...init, headers: { ...(assertion ? { 'cf-access-jwt-assertion': assertion } : {}), ...(init.headers as Record<string, string>) } });
  return app.fetch(req, accessEnv, createExecutionContext());
}

function accessJwt(email: string, overrides: { aud?: string; iss?: string; exp?: number; key?: CryptoKey } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, type: 'app' })
    .setProtectedHeader({ alg: 'RS256', kid: 'access-1' })
    .setIssuer(overrides.iss ?? TEAM)
    .setAudience(overrides.aud ?? AUD)
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(overrides.key ?? keys!.privateKey);
}

describe('Cloudflare Access identities', () => {
  it('maps emails to roles, exact first, then *@domain', () => {
    const roles = { 'lead@example.com': 'eng-lead' as const, '*@example.com': 'viewer' as const };
    expect(roleForEmail('Lead@Example.com', roles)).toBe('eng-lead');
    expect(roleForEmail('someone@example.com', roles)).toBe('viewer');
    expect(roleForEmail('someone@evil.example', roles)).toBeUndefined();
  });

  it('a valid assertion authenticates with the mapped role', async () => {
    expect((await call('/status', await accessJwt('someone@example.com'))).status).toBe(200);
    const post = await call('/flags/olympus_auth', await accessJwt('someone@example.com'), { method: 'POST', body: '{"enabled": false}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(403);
    const lead = await call('/flags/olympus_auth', await accessJwt('lead@example.com'), { method: 'POST', body: '{"enabled": true}', headers: { 'content-type': 'application/json' } });
    expect(lead.status).toBe(200);
    expect(((await lead.json()) as { updated_by: string }).updated_by).toBe('lead@example.com (eng-lead)');
    expect(certsServed).toBe(1);
  });

  it.each([
    ['no assertion', async () => undefined],
    ['wrong audience', async () => accessJwt('lead@example.com', { aud: 'other-app' })],
    ['wrong issuer', async () => accessJwt('lead@example.com', { iss: 'https://evil.cloudflareaccess.test' })],
    ['expired', async () => accessJwt('lead@example.com', { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['signed by another key', async () => accessJwt('lead@example.com', { key: (await generateKeyPair('RS256')).privateKey })],
    ['an email with no role', async () => accessJwt('stranger@elsewhere.test')],
    ['garbage', async () => 'not.a.jwt'],
  ])('%s: 401', async (_n, make) => {
    expect((await call('/status', await make())).status).toBe(401);
  });
});

describe('Access-authenticated calls from another site', () => {
  const rollback = async (headers: Record<string, string>) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request('https://gateway.test/_switchback/api/flags/olympus_auth', { method: 'POST', body: '{"enabled": true}', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }), accessEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };

  it('the CF_Authorization cookie authenticates; a cross-site request with it is refused (403)', async () => {
    const cookie = `CF_Authorization=${await accessJwt('lead@example.com')}`;
    const cross = await rollback({ cookie, 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    expect(await cross.json()).toMatchObject({ error: 'cross_site_request' });
    expect((await rollback({ cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await rollback({ cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await rollback({ cookie, 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('the Access header (which Access adds to cookie-authenticated browser requests) is held to the same rule', async () => {
    expect((await rollback({ 'cf-access-jwt-assertion': await accessJwt('lead@example.com'), 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await rollback({ 'cf-access-jwt-assertion': await accessJwt('lead@example.com') })).status).toBe(200);
  });

  it('bearer-token calls are unaffected', async () => {
    expect((await rollback({ authorization: `Bearer ${ADMIN.engLead}`, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });
});
