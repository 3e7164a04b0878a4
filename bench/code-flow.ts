// Gets a real access token from a local IdP the way an API client would:
// authorization code + PKCE S256, signing in on the IdP's own form, and
// catching the code on the redirect to <gateway>/callback without letting the
// gateway redeem it. Used to build the bearer-JWT and opaque-token kinds.
import { createHash, randomBytes } from 'node:crypto';
import { TinyBrowser } from '../dev/tiny-browser.ts';

export interface CodeFlowInput {
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  /** How the client authenticates at the token endpoint (Auth0: post, Hydra: basic). */
  clientAuth: 'client_secret_post' | 'client_secret_basic';
  redirectUri: string;
  email: string;
  password: string;
  scope?: string;
  /** Auth0's API identifier; makes the auth0-like IdP issue a JWT access token. */
  audience?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  id_token?: string;
  scope?: string;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

async function discover(url: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`discovery ${url} answered ${res.status}`);
  return (await res.json()) as { authorization_endpoint: string; token_endpoint: string };
}

/** Runs the browser part and returns the authorization code from the redirect Location. */
async function authorize(input: CodeFlowInput, authorizationEndpoint: string, challenge: string, state: string): Promise<string> {
  const url = new URL(authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    scope: input.scope ?? 'openid profile email',
    state,
    nonce: b64url(randomBytes(16)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  if (input.audience) params.audience = input.audience;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);

  const browser = new TinyBrowser('switchback-bench/1');
  const atCallback = (u: string) => u.startsWith(input.redirectUri);
  let page = await browser.navigate(url.href, { stopWhen: atCallback });
  if (!atCallback(page.url)) {
    if (!page.body.includes('name="password"')) throw new Error(`expected the IdP login form at ${page.url}, got HTTP ${page.status}`);
    page = await browser.submitForm(page, { email: input.email, password: input.password }, { stopWhen: atCallback });
  }
  if (!atCallback(page.url)) throw new Error(`sign-in did not come back to ${input.redirectUri} (ended at ${page.url}, HTTP ${page.status})`);
  const back = new URL(page.url).searchParams;
  if (back.get('error')) throw new Error(`IdP answered ${back.get('error')}: ${back.get('error_description') ?? ''}`);
  if (back.get('state') !== state) throw new Error('state mismatch on the redirect');
  const code = back.get('code');
  if (!code) throw new Error(`no code on the redirect ${page.url}`);
  return code;
}

async function redeem(input: CodeFlowInput, tokenEndpoint: string, code: string, verifier: string): Promise<TokenResponse> {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: input.redirectUri, code_verifier: verifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (input.clientAuth === 'client_secret_post') {
    body.set('client_id', input.clientId);
    body.set('client_secret', input.clientSecret);
  } else {
    const pair = `${encodeURIComponent(input.clientId)}:${encodeURIComponent(input.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  const res = await fetch(tokenEndpoint, { method: 'POST', headers, body });
  const json = (await res.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string; error_description?: string };
  if (!res.ok || typeof json.access_token !== 'string') {
    throw new Error(`token endpoint answered ${res.status}: ${json.error ?? ''} ${json.error_description ?? ''}`.trim());
  }
  return json as TokenResponse;
}

/** Authorization code + PKCE S256 against the IdP; returns its token response. */
export async function codeFlowTokens(input: CodeFlowInput): Promise<TokenResponse> {
  const meta = await discover(input.discoveryUrl);
  const verifier = b64url(randomBytes(48));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const code = await authorize(input, meta.authorization_endpoint, challenge, b64url(randomBytes(16)));
  return redeem(input, meta.token_endpoint, code, verifier);
}
