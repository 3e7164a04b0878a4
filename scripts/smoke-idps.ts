// Smoke test of the two local IdPs without the gateway: discovery, code flow
// with PKCE through the HTML login form, token exchange, JWT access token
// (auth0-like) and introspection (olympus-like), logout, sign-up and failure
// injection. Prints the token headers/claims. Run: npm run smoke:idps
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { DEFAULT_AUTH0_AUDIENCE, startAuth0Like, startOlympusLike, type IdpHandle } from '../dev/idp/index.ts';
import { TinyBrowser } from '../dev/tiny-browser.ts';

const RP = 'http://127.0.0.1:9';
const REDIRECT_URI = `${RP}/callback`;
const client = (id: string) => ({
  client_id: id,
  client_secret: randomBytes(24).toString('base64url'),
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [`${RP}/`],
});

const b64url = (buf: Buffer) => buf.toString('base64url');

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  url: string;
}

function authorizeUrl(disco: Record<string, string>, clientId: string, extra: Record<string, string> = {}): Flow {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const u = new URL(disco.authorization_endpoint!);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { verifier, state, nonce, url: u.href };
}

const atCallback = (url: string) => url.startsWith(REDIRECT_URI);

async function loginThroughForm(browser: TinyBrowser, flow: Flow, email: string, password: string, expectTitle: string) {
  const loginPage = await browser.navigate(flow.url, { stopWhen: atCallback });
  assert.equal(loginPage.status, 200, loginPage.body);
  assert.match(loginPage.body, new RegExp(`<title>${expectTitle.replace(/[()]/g, '\\$&')}</title>`));
  const wrong = await browser.submitForm(loginPage, { email, password: 'nope' }, { stopWhen: atCallback });
  assert.equal(wrong.status, 200);
  assert.match(wrong.body, /Wrong email or password/);
  const done = await browser.submitForm(wrong, { email, password }, { stopWhen: atCallback });
  assert.ok(atCallback(done.url), `expected callback, got ${done.url} ${done.body.slice(0, 300)}`);
  return new URL(done.url).searchParams;
}

async function tokenRequest(disco: Record<string, string>, c: ReturnType<typeof client>, body: Record<string, string>, auth: 'basic' | 'post') {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const params = new URLSearchParams(body);
  if (auth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(c.client_id)}:${encodeURIComponent(c.client_secret)}`).toString('base64')}`;
  } else {
    params.set('client_id', c.client_id);
    params.set('client_secret', c.client_secret);
  }
  const res = await fetch(disco.token_endpoint!, { method: 'POST', headers, body: params });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function show(label: string, jwt: string) {
  console.log(`  ${label} header:`, JSON.stringify(decodeProtectedHeader(jwt)));
  console.log(`  ${label} payload:`, JSON.stringify(decodeJwt(jwt)));
}

async function discovery(idp: IdpHandle) {
  const res = await fetch(idp.discoveryUrl);
  assert.equal(res.status, 200);
  const disco = (await res.json()) as Record<string, string>;
  assert.equal(disco.issuer, idp.issuer);
  assert.equal(disco.authorization_response_iss_parameter_supported, true as unknown as string);
  console.log(`  discovery: issuer=${disco.issuer}`);
  for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
    console.log(`    ${k}: ${disco[k] ?? '(none)'}`);
  }
  console.log(`    code_challenge_methods_supported: ${JSON.stringify(disco.code_challenge_methods_supported)}`);
  return disco;
}

async function logout(browser: TinyBrowser, disco: Record<string, string>, clientId: string) {
  const u = new URL(disco.end_session_endpoint!);
  u.search = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: `${RP}/`, state: 'bye' }).toString();
  const page = await browser.navigate(u.href, { stopWhen: (x) => x.startsWith(RP) });
  assert.equal(page.status, 200, page.body);
  const done = await browser.submitForm(page, {}, { stopWhen: (x) => x.startsWith(RP) });
  assert.equal(done.url, `${RP}/?state=bye`);
  console.log(`  logout: redirected to ${done.url}`);
}

async function auth0Smoke() {
  console.log('\n=== auth0-like ===');
  const c = client('switchback-auth0');
  const idp = await startAuth0Like({ clients: [c] });
  try {
    assert.ok(idp.issuer.endsWith('/'));
    const disco = await discovery(idp);
    const jwks = createRemoteJWKSet(new URL(disco.jwks_uri!));
    const browser = new TinyBrowser();

    const flow = authorizeUrl(disco, c.client_id, { audience: DEFAULT_AUTH0_AUDIENCE });
    const cb = await loginThroughForm(browser, flow, 'alice@example.com', 'alice-pass', 'Sign in to Auth0 (local stand-in)');
    assert.equal(cb.get('state'), flow.state);
    assert.equal(cb.get('iss'), idp.issuer);
    console.log(`  callback params: ${[...cb.keys()].join(', ')} (iss=${cb.get('iss')})`);

    const tok = await tokenRequest(disco, c, { grant_type: 'authorization_code', code: cb.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: flow.verifier }, 'post');
    assert.equal(tok.status, 200, JSON.stringify(tok.json));
    console.log('  token response keys:', Object.keys(tok.json).join(', '), `token_type=${tok.json.token_type} expires_in=${tok.json.expires_in} scope=${tok.json.scope}`);
    const idToken = tok.json.id_token as string;
    const accessToken = tok.json.access_token as string;
    show('ID token', idToken);
    show('access token (audience requested)', accessToken);
    const idv = await jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: c.client_id });
    assert.equal(idv.payload.sub, 'auth0|alice');
    assert.equal(idv.payload.nonce, flow.nonce);
    assert.equal(idv.payload.email, 'alice@example.com');
    const atv = await jwtVerify(accessToken, jwks, { issuer: idp.issuer, audience: DEFAULT_AUTH0_AUDIENCE });
    assert.equal(atv.payload.sub, 'auth0|alice');

    // basic auth also accepted; no audience -> opaque access token; SSO session -> no form.
    const flow2 = authorizeUrl(disco, c.client_id);
    const page2 = await browser.navigate(flow2.url, { stopWhen: atCallback });
    assert.ok(atCallback(page2.url), 'existing IdP session should skip the form');
    const tok2 = await tokenRequest(disco, c, { grant_type: 'authorization_code', code: new URL(page2.url).searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: flow2.verifier }, 'basic');
    assert.equal(tok2.status, 200, JSON.stringify(tok2.json));
    console.log(`  access token without audience: ${(tok2.json.access_token as string).length} chars, opaque=${!(tok2.json.access_token as string).includes('.')}`);

    // unknown audience -> access_denied back to the client
    const bad = authorizeUrl(disco, c.client_id, { audience: 'https://unknown.example/' });
    const badPage = await browser.navigate(bad.url, { stopWhen: atCallback });
    console.log(`  unknown audience -> ${badPage.url.replace(REDIRECT_URI, '<redirect_uri>')}`);
    assert.equal(new URL(badPage.url).searchParams.get('error'), 'access_denied');

    // no PKCE is accepted by auth0-like
    const noPkce = new URL(authorizeUrl(disco, c.client_id).url);
    noPkce.searchParams.delete('code_challenge');
    noPkce.searchParams.delete('code_challenge_method');
    const noPkcePage = await browser.navigate(noPkce.href, { stopWhen: atCallback });
    assert.ok(new URL(noPkcePage.url).searchParams.get('code'), 'auth0-like accepts requests without PKCE');

    await logout(browser, disco, c.client_id);

    // failure injection
    await fetch(`${idp.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins: true }) });
    const failed = await browser.navigate(authorizeUrl(disco, c.client_id).url, { stopWhen: atCallback });
    assert.equal(new URL(failed.url).searchParams.get('error'), 'access_denied');
    console.log(`  failLogins=true -> ${failed.url.replace(REDIRECT_URI, '<redirect_uri>')}`);
    await fetch(`${idp.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins: 'hang' }) });
    const hangPage = await browser.navigate(authorizeUrl(disco, c.client_id).url, { stopWhen: atCallback });
    const hung = await browser.submitForm(hangPage, { email: 'alice@example.com', password: 'alice-pass' }, { stopWhen: atCallback });
    assert.equal(hung.status, 200);
    assert.match(hung.body, /Sign in to Auth0/);
    console.log('  failLogins="hang" -> login form re-rendered after correct password');
    const mode = await (await fetch(`${idp.url}/_control/mode`)).json();
    console.log('  GET /_control/mode:', JSON.stringify(mode));
    console.log('  GET /_control/stats:', JSON.stringify(await (await fetch(`${idp.url}/_control/stats`)).json()));
  } finally {
    await idp.stop();
  }
}

async function olympusSmoke() {
  console.log('\n=== olympus-like ===');
  const c = client('switchback-olympus');
  const idp = await startOlympusLike({ clients: [c] });
  try {
    assert.ok(!idp.issuer.endsWith('/'));
    const disco = await discovery(idp);
    const jwks = createRemoteJWKSet(new URL(disco.jwks_uri!));
    const browser = new TinyBrowser();

    // PKCE is required
    const noPkce = new URL(authorizeUrl(disco, c.client_id).url);
    noPkce.searchParams.delete('code_challenge');
    noPkce.searchParams.delete('code_challenge_method');
    const noPkcePage = await browser.navigate(noPkce.href, { stopWhen: atCallback });
    console.log(`  without PKCE -> ${decodeURIComponent(noPkcePage.url.replace(REDIRECT_URI, '<redirect_uri>'))}`);
    assert.equal(new URL(noPkcePage.url).searchParams.get('error'), 'invalid_request');
    const plain = new URL(authorizeUrl(disco, c.client_id).url);
    plain.searchParams.set('code_challenge_method', 'plain');
    const plainPage = await browser.navigate(plain.href, { stopWhen: atCallback });
    assert.equal(new URL(plainPage.url).searchParams.get('error'), 'invalid_request');

    const flow = authorizeUrl(disco, c.client_id);
    const cb = await loginThroughForm(browser, flow, 'bob@example.com', 'bob-pass', 'Sign in to Olympus (local stand-in)');
    assert.equal(cb.get('iss'), idp.issuer);
    console.log(`  callback params: ${[...cb.keys()].join(', ')} (iss=${cb.get('iss')})`);
    const tok = await tokenRequest(disco, c, { grant_type: 'authorization_code', code: cb.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: flow.verifier }, 'basic');
    assert.equal(tok.status, 200, JSON.stringify(tok.json));
    console.log('  token response keys:', Object.keys(tok.json).join(', '), `token_type=${tok.json.token_type} expires_in=${tok.json.expires_in} scope=${tok.json.scope}`);
    const idToken = tok.json.id_token as string;
    show('ID token', idToken);
    const idv = await jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: c.client_id });
    assert.equal(idv.payload.email, 'bob@example.com');
    const at = tok.json.access_token as string;
    console.log(`  access token: opaque, ${at.length} chars`);

    const introspect = async (token: string, auth: string | undefined) => {
      const res = await fetch(disco.introspection_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
        body: new URLSearchParams({ token }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const basic = `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
    const intro = await introspect(at, basic);
    assert.equal(intro.status, 200);
    assert.equal(intro.json.active, true);
    console.log('  introspection (active):', JSON.stringify(intro.json));
    const unauth = await introspect(at, undefined);
    console.log(`  introspection without client auth -> ${unauth.status} ${JSON.stringify(unauth.json)}`);
    assert.equal(unauth.status, 400);
    const garbage = await introspect('not-a-token', basic);
    console.log('  introspection of unknown token:', JSON.stringify(garbage.json));

    // refresh tokens with offline_access (requires prompt=consent in oidc-provider)
    const off = authorizeUrl(disco, c.client_id, { scope: 'openid profile email offline_access', prompt: 'consent' });
    const offPage = await browser.navigate(off.url, { stopWhen: atCallback });
    const offTok = await tokenRequest(disco, c, { grant_type: 'authorization_code', code: new URL(offPage.url).searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: off.verifier }, 'basic');
    console.log(`  with offline_access+prompt=consent: refresh_token ${offTok.json.refresh_token ? 'issued' : 'NOT issued'}`);
    if (offTok.json.refresh_token) {
      const refreshed = await tokenRequest(disco, c, { grant_type: 'refresh_token', refresh_token: offTok.json.refresh_token as string }, 'basic');
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
      const ri = await introspect(offTok.json.refresh_token as string, basic);
      console.log(`  refresh token introspection: exp-iat=${(ri.json.exp as number) - (ri.json.iat as number)}s`);
    }

    await logout(browser, disco, c.client_id);
    const introAfter = await introspect(at, basic);
    console.log(`  introspection after logout: active=${introAfter.json.active}`);

    // sign-up through prompt=create
    const signup = authorizeUrl(disco, c.client_id, { prompt: 'create' });
    const signupPage = await browser.navigate(signup.url, { stopWhen: atCallback });
    assert.match(signupPage.body, /Sign up for Olympus/);
    const signed = await browser.submitForm(signupPage, { email: 'dave@example.com', password: 'dave-pass', given_name: 'Dave', family_name: 'Doe' }, { stopWhen: atCallback });
    assert.ok(atCallback(signed.url), signed.body.slice(0, 500));
    const stok = await tokenRequest(disco, c, { grant_type: 'authorization_code', code: new URL(signed.url).searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: signup.verifier }, 'basic');
    console.log('  prompt=create sign-up ID token claims:', JSON.stringify(decodeJwt(stok.json.id_token as string)));

    const rec = await fetch(`${idp.url}/self-service/recovery/browser`);
    assert.match(await rec.text(), /Olympus account recovery/);

    await fetch(`${idp.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins: true }) });
    const failed = await browser.navigate(authorizeUrl(disco, c.client_id).url, { stopWhen: atCallback });
    assert.equal(new URL(failed.url).searchParams.get('error'), 'access_denied');
    console.log(`  failLogins=true (with live IdP session) -> ${failed.url.replace(REDIRECT_URI, '<redirect_uri>')}`);
    console.log('  GET /_control/stats:', JSON.stringify(await (await fetch(`${idp.url}/_control/stats`)).json()));
  } finally {
    await idp.stop();
  }
}

await auth0Smoke();
await olympusSmoke();
console.log('\nsmoke-idps: OK');
