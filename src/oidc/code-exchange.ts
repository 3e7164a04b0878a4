/**
 * The token request of the authorization code grant (RFC 6749 §4.1.3) with
 * the PKCE verifier, authenticated with client_secret_basic.
 */
import type { ProviderOptions } from '../config.ts';
import type { ProviderMetadata } from '../providers/discovery.ts';
import { SwitchbackError } from '../core/errors.ts';

export interface TokenResponse {
  id_token: string;
  access_token?: string;
  expires_in?: number;
}

export class CodeExchangeError extends SwitchbackError {
  readonly code = 'ERR_CODE_EXCHANGE';
  constructor(
    readonly reason: 'token_endpoint_unreachable' | 'token_endpoint_error' | 'token_response_invalid',
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part before base64.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${btoa(`${enc(id)}:${enc(secret)}`)}`;
}

export async function exchangeCode(p: ProviderOptions, meta: ProviderMetadata, code: string, redirectUri: string, codeVerifier: string): Promise<TokenResponse> {
  let res: Response;
  try {
    res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: basic(p.clientId, p.clientSecret) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new CodeExchangeError('token_endpoint_unreachable', String(err));
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const error = body && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new CodeExchangeError('token_endpoint_error', error);
  }
  if (!body || typeof body.id_token !== 'string') throw new CodeExchangeError('token_response_invalid', 'no id_token in token response');
  return body as unknown as TokenResponse;
}
