/**
 * One exhaustive mapping from a rejection reason to what the client sees:
 * deliberately generic (`invalid_token`, `session_expired`), with an RFC 6750
 * `WWW-Authenticate` challenge. The detailed reason stays in logs and counters.
 */
import { isSessionExpiry, type RejectReason } from '../verify/verify-error.ts';

export type WireError = 'invalid_token' | 'session_expired' | 'invalid_request' | 'temporarily_unavailable';

export function wireErrorFor(reason: RejectReason): WireError {
  if (isSessionExpiry(reason)) return 'session_expired';
  switch (reason) {
    case 'keys_unavailable':
    case 'introspection_unavailable':
    case 'provider_unavailable':
    case 'flag_unavailable':
      return 'temporarily_unavailable';
    default:
      return 'invalid_token';
  }
}

const DESCRIPTIONS: Record<WireError, string> = {
  invalid_token: 'The access token or session is not valid.',
  session_expired: 'Your session expired, please sign in again.',
  invalid_request: 'The request lacks valid authentication.',
  temporarily_unavailable: 'The identity provider could not be reached; try again shortly.',
};

function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

export function challenge(error: WireError | undefined): string {
  const parts = [`realm=${quoted('switchback')}`];
  if (error && error !== 'temporarily_unavailable') parts.push(`error=${quoted(error)}`, `error_description=${quoted(DESCRIPTIONS[error])}`);
  return `Bearer ${parts.join(', ')}`;
}

export function unauthorizedJson(error: WireError | undefined): Response {
  const status = error === 'temporarily_unavailable' ? 503 : 401;
  const body = error ? { error, error_description: DESCRIPTIONS[error] } : { error: 'unauthorized', error_description: 'Authentication required.' };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'www-authenticate': challenge(error), 'cache-control': 'no-store' },
  });
}
