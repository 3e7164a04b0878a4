/**
 * Checks the authorization response before any code is redeemed: the state
 * must match the transaction, and the RFC 9207 `iss` parameter must name the
 * provider the transaction was opened with (mix-up defence between our two
 * providers). A provider that advertises `iss` support must send it.
 */
import type { ProviderOptions } from '../config.ts';
import type { ProviderMetadata } from '../providers/discovery.ts';
import type { LoginTransaction } from './login-transaction.ts';
import { constantTimeEqual } from '../core/bytes.ts';

export type ResponseCheck =
  | { ok: true; code: string }
  | { ok: false; reason: 'state_mismatch' | 'issuer_mismatch' | 'issuer_missing' | 'code_missing' | 'provider_error'; error?: string };

const KNOWN_ERRORS = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'invalid_request', 'unauthorized_client', 'server_error', 'temporarily_unavailable', 'invalid_scope', 'unsupported_response_type', 'request_not_supported']);

export function checkAuthorizationResponse(q: URLSearchParams, t: LoginTransaction, p: ProviderOptions, meta: ProviderMetadata): ResponseCheck {
  const state = q.get('state');
  if (!state || !constantTimeEqual(state, t.state)) return { ok: false, reason: 'state_mismatch' };
  const iss = q.get('iss');
  if (iss !== null && iss !== p.issuer) return { ok: false, reason: 'issuer_mismatch' };
  if (iss === null && meta.authorization_response_iss_parameter_supported) return { ok: false, reason: 'issuer_missing' };
  const error = q.get('error');
  if (error !== null) return { ok: false, reason: 'provider_error', error: KNOWN_ERRORS.has(error) ? error : 'unknown_error' };
  const code = q.get('code');
  if (!code || code.length > 4096) return { ok: false, reason: 'code_missing' };
  return { ok: true, code };
}
