/**
 * Why a credential was refused. Rich inside (a stable `reason` code plus the
 * claim at fault, for logs and counters), generic outside: the client only ever
 * sees `invalid_token` or `session_expired` (see wire-error in routes).
 */
import { SwitchbackError } from '../core/errors.ts';
export type RejectReason =
  | 'token_too_large'
  | 'token_malformed'
  | 'token_encrypted'
  | 'alg_not_allowed'
  | 'crit_unsupported'
  | 'typ_not_access_token'
  | 'id_token_as_access_token'
  | 'issuer_unknown'
  | 'kid_not_found'
  | 'signature_invalid'
  | 'claim_missing'
  | 'claim_invalid'
  | 'audience_mismatch'
  | 'client_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'token_inactive'
  | 'introspection_unavailable'
  | 'keys_unavailable'
  | 'overlap_ended'
  | 'session_malformed'
  | 'session_expired'
  | 'subject_conflict'
  | 'provider_unavailable'
  /** KV's copy of the flag would refuse an Olympus credential and the controller could not confirm it. */
  | 'flag_unavailable'
  /** Something other than a VerifyError escaped verification (a bug or an unexpected runtime failure): fail closed, as a 503. */
  | 'verification_failed';

export class VerifyError extends SwitchbackError {
  readonly code = 'ERR_VERIFY';
  constructor(
    readonly reason: RejectReason,
    readonly detail?: string,
    readonly issuer?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
  }
}
