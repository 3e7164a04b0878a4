/**
 * One exhaustive mapping from a rejection reason to what the client sees:
 * deliberately generic (`invalid_token`, `session_expired`), with an RFC 6750
 * `WWW-Authenticate` challenge. The detailed reason stays in logs and counters.
 */
import type { RejectReason } from '../verify/verify-error.ts';
import { problemResponse } from './problem.ts';

export type WireError = 'invalid_token' | 'session_expired' | 'invalid_request' | 'temporarily_unavailable';

/**
 * Every reason, written out: a new reason does not compile until someone
 * decides what the client sees. Only the gateway failing to verify (a
 * provider, its keys or its introspection unreachable, or an unexpected
 * failure inside verification) is a 503; everything else is the caller's
 * credential, a 401. Nothing on this path is ever a 500.
 */
const WIRE = {
  token_too_large: 'invalid_token',
  token_malformed: 'invalid_token',
  token_encrypted: 'invalid_token',
  alg_not_allowed: 'invalid_token',
  crit_unsupported: 'invalid_token',
  typ_not_access_token: 'invalid_token',
  id_token_as_access_token: 'invalid_token',
  issuer_unknown: 'invalid_token',
  kid_not_found: 'invalid_token',
  signature_invalid: 'invalid_token',
  claim_missing: 'invalid_token',
  claim_invalid: 'invalid_token',
  audience_mismatch: 'invalid_token',
  client_mismatch: 'invalid_token',
  expired: 'invalid_token',
  not_yet_valid: 'invalid_token',
  token_inactive: 'invalid_token',
  subject_conflict: 'invalid_token',
  session_malformed: 'invalid_token',
  overlap_ended: 'session_expired',
  session_expired: 'session_expired',
  introspection_unavailable: 'temporarily_unavailable',
  keys_unavailable: 'temporarily_unavailable',
  provider_unavailable: 'temporarily_unavailable',
  verification_failed: 'temporarily_unavailable',
  flag_unavailable: 'temporarily_unavailable',
} as const satisfies Record<RejectReason, WireError>;

export function wireErrorFor(reason: RejectReason): WireError {
  return WIRE[reason];
}

const STATUS = {
  invalid_token: 401,
  session_expired: 401,
  invalid_request: 401,
  temporarily_unavailable: 503,
} as const satisfies Record<WireError, 401 | 503>;

export function statusFor(error: WireError | undefined): 401 | 503 {
  return error ? STATUS[error] : 401;
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
  const status = statusFor(error);
  const headers = { 'www-authenticate': challenge(error) };
  return error ? problemResponse(status, error, DESCRIPTIONS[error], {}, headers) : problemResponse(status, 'unauthorized', 'Authentication required.', {}, headers);
}
