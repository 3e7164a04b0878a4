/**
 * Maps jose's error classes onto our reason vocabulary, keeping the claim at
 * fault as detail (jose says which claim and why; we keep that for the log).
 */
import { errors } from 'jose';
import { VerifyError } from './verify-error.ts';

export function fromJoseError(err: unknown, issuer: string | undefined): VerifyError {
  if (err instanceof VerifyError) return err;
  if (err instanceof errors.JWTExpired) return new VerifyError('expired', `${err.claim} ${err.reason}`, issuer);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return new VerifyError('not_yet_valid', err.reason, issuer);
    if (err.claim === 'aud') return new VerifyError('audience_mismatch', err.reason, issuer);
    if (err.reason === 'missing') return new VerifyError('claim_missing', err.claim, issuer);
    return new VerifyError('claim_invalid', `${err.claim} ${err.reason}`, issuer);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new VerifyError('signature_invalid', undefined, issuer);
  if (err instanceof errors.JOSEAlgNotAllowed) return new VerifyError('alg_not_allowed', err.message, issuer);
  if (err instanceof errors.JOSENotSupported) return new VerifyError('crit_unsupported', err.message, issuer);
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return new VerifyError('token_malformed', err.message, issuer);
  if (err instanceof errors.JWKSNoMatchingKey) return new VerifyError('kid_not_found', undefined, issuer);
  return new VerifyError('token_malformed', err instanceof Error ? err.message : String(err), issuer);
}
