/**
 * The legacy kinds' admin-API stand-ins and their sign-in stand-ins are one
 * provider (dev/legacy-idp.ts, as `npm start -- --legacy cognito|clerk`
 * runs them): a user created through Cognito's admin API (then given a
 * permanent password) or through Clerk's Backend API (with a carried bcrypt
 * digest) signs in at the OIDC stand-in's form with that password, and a
 * Cognito user put in RESET_REQUIRED does not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import bcrypt from 'bcryptjs';
import { TinyBrowser } from '../../dev/tiny-browser.ts';
import type { IdpHandle } from '../../dev/idp/index.ts';
import { LEGACY_USERS, startLegacyAdminApi, startLegacyIdp, type LegacyAdminApi } from '../../dev/legacy-idp.ts';
import { CognitoAdminClient } from '../../src/providers/admin/cognito-admin-client.ts';
import { ClerkBackendClient } from '../../src/providers/admin/clerk-backend-client.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT = { client_id: 'legacy-app-client', client_secret: 'legacy-app-secret', redirect_uris: [REDIRECT], post_logout_redirect_uris: ['http://127.0.0.1:9/'] };
const b64url = (b: Buffer) => b.toString('base64url');
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** The code flow through the stand-in's form; the ID token's claims, or undefined when the form refuses. */
async function signIn(idp: IdpHandle, email: string, password: string): Promise<Record<string, unknown> | undefined> {
  const disco = (await (await fetch(idp.discoveryUrl)).json()) as Record<string, string>;
  const verifier = b64url(randomBytes(32));
  const url = new URL(disco.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT, scope: 'openid email profile', state: 's', nonce: 'n',
    code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  }).toString();
  const browser = new TinyBrowser();
  const atCallback = (u: string) => u.startsWith(REDIRECT);
  const form = await browser.navigate(url.href, { stopWhen: atCallback });
  const done = await browser.submitForm(form, { email, password }, { stopWhen: atCallback });
  const code = new URL(done.url).searchParams.get('code');
  if (!code) return undefined;
  const res = await fetch(disco.token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  return decodeJwt(((await res.json()) as { id_token: string }).id_token);
}

async function start(kind: 'cognito' | 'clerk'): Promise<{ admin: LegacyAdminApi; idp: IdpHandle }> {
  const admin = (await startLegacyAdminApi(kind, { clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, users: LEGACY_USERS[kind] }))!;
  stops.push(admin.stop);
  const idp = await startLegacyIdp({ kind, port: 0, client: CLIENT, options: { directory: admin.directory } });
  stops.push(idp.stop);
  return { admin, idp };
}

describe('Cognito', () => {
  it('a user created and given a password through the admin API signs in; after AdminResetUserPassword, no longer', async () => {
    const { admin, idp } = await start('cognito');
    expect(await signIn(idp, 'alice@example.com', 'alice-pass')).toMatchObject({ email: 'alice@example.com' });
    const v = admin.vars;
    const cognito = new CognitoAdminClient({ region: 'us-east-1', userPoolId: v.COGNITO_USER_POOL_ID!, endpoint: v.COGNITO_ADMIN_ENDPOINT!, accessKeyId: v.COGNITO_ACCESS_KEY_ID!, secretAccessKey: v.COGNITO_SECRET_ACCESS_KEY! });
    const user = await cognito.adminCreateUser({ username: 'dana@example.com', attributes: { email: 'dana@example.com', email_verified: 'true', given_name: 'Dana' } });
    await cognito.adminSetUserPassword({ username: user.username, password: 'Brought-back-1', permanent: true });
    expect(await signIn(idp, 'dana@example.com', 'Brought-back-1')).toMatchObject({ email: 'dana@example.com', sub: user.attributes.sub });
    await cognito.adminResetUserPassword(user.username);
    expect(await signIn(idp, 'dana@example.com', 'Brought-back-1')).toBeUndefined();
    expect(await cognito.adminInitiateAuth({ clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, username: 'alice@example.com', password: 'alice-pass' })).toEqual({ kind: 'authenticated' });
  });
});

describe('Clerk', () => {
  it('a user created with a bcrypt digest signs in with the password behind it', async () => {
    const { admin, idp } = await start('clerk');
    const clerk = new ClerkBackendClient({ secretKey: admin.vars.CLERK_SECRET_KEY!, apiUrl: admin.vars.CLERK_API_URL! });
    const user = await clerk.createUser({ emailAddress: 'erin@example.com', firstName: 'Erin', externalId: 'olympus-erin', passwordDigest: { digest: bcrypt.hashSync('kept-from-olympus', 4), hasher: 'bcrypt' } });
    expect(await signIn(idp, 'erin@example.com', 'kept-from-olympus')).toMatchObject({ email: 'erin@example.com', sub: user.id });
    expect(await signIn(idp, 'erin@example.com', 'another-one')).toBeUndefined();
    // The seeded demo users are the Backend API's users too.
    const [alice] = await clerk.findUsersByEmail('alice@example.com');
    expect(await clerk.verifyPassword(alice!.id, 'alice-pass')).toBe(true);
  });
});
