/**
 * Structural checks on a compact JWT before any key is touched: size, segment
 * count, base64url alphabet, JSON objects, and the header parameters a token
 * may not use. The payload is only *peeked* here to choose the issuer; nothing
 * read from it is trusted until the signature is verified.
 */
import { decodeProtectedHeader, decodeJwt, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { VerifyError } from './verify-error.ts';

const B64URL = /^[A-Za-z0-9_-]+$/;

export interface PeekedJwt {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

export function peekJwt(token: string, maxBytes: number): PeekedJwt {
  if (token.length > maxBytes) throw new VerifyError('token_too_large', `${token.length} bytes > ${maxBytes}`);
  const parts = token.split('.');
  if (parts.length === 5) throw new VerifyError('token_encrypted', 'JWE tokens are not accepted');
  if (parts.length !== 3) throw new VerifyError('token_malformed', `${parts.length} segments`);
  if (!parts.every((p, i) => (i === 2 ? p.length > 0 : p.length > 0) && B64URL.test(p))) {
    throw new VerifyError('token_malformed', 'segment is not base64url');
  }
  let header: ProtectedHeaderParameters;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    throw new VerifyError('token_malformed', 'header or payload is not a JSON object');
  }
  if (typeof header.alg !== 'string') throw new VerifyError('token_malformed', 'alg missing');
  if (header.alg === 'none' || header.alg.startsWith('HS')) throw new VerifyError('alg_not_allowed', header.alg);
  // No extension is understood here, so any critical one is unknown (RFC 7515 §4.1.11).
  if (header.crit !== undefined) throw new VerifyError('crit_unsupported', JSON.stringify(header.crit));
  if (header.b64 !== undefined) throw new VerifyError('crit_unsupported', 'b64');
  return { header, claims };
}
