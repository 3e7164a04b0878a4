/**
 * Authentication of inbound hooks: HMAC-SHA256 (hex, in X-Signature,
 * "sha256=" prefix tolerated) for the support-ticket hook, and a shared token
 * compared in constant time for the providers' hooks.
 *
 * The signed string is the raw body, or, when the sender adds
 * `X-Signature-Timestamp: <unix seconds>`, the bytes of `${timestamp}.` followed
 * by the raw body; a timestamp more than SIGNATURE_TOLERANCE_SECONDS away from
 * now is refused, so a captured delivery cannot be replayed later (within the
 * tolerance the controller's delivery ledger counts it once anyway).
 */
import { constantTimeEqual, toHex } from '../core/bytes.ts';

/** Settled keys only, never a pending import shared across requests (the isolate-cache rule). */
const hmacKeys = new Map<string, CryptoKey>();

async function hmacKey(secret: string): Promise<CryptoKey> {
  const hit = hmacKeys.get(secret);
  if (hit) return hit;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify', 'sign']);
  hmacKeys.set(secret, key);
  return key;
}

function hexToBytes(hex: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** crypto.subtle.verify compares in constant time. */
export async function verifyHmacSha256(secret: string, body: Uint8Array, signatureHeader: string | undefined): Promise<boolean> {
  const sig = hexToBytes((signatureHeader ?? '').trim().replace(/^sha256=/i, ''));
  if (!sig) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), sig, body);
}

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = 'ok' | 'signature_invalid' | 'timestamp_invalid' | 'timestamp_out_of_tolerance';

/** The bytes a sender signs: the raw body, or `${timestamp}.${rawBody}` with a timestamp. */
export function signedPayload(body: Uint8Array, timestamp: string | undefined): Uint8Array {
  if (timestamp === undefined) return body;
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const out = new Uint8Array(prefix.byteLength + body.byteLength);
  out.set(prefix, 0);
  out.set(body, prefix.byteLength);
  return out;
}

/** Checks X-Signature (and X-Signature-Timestamp when present) against `nowMs`. */
export async function checkSignedDelivery(secret: string, body: Uint8Array, signature: string | undefined, timestamp: string | undefined, nowMs: number): Promise<SignatureCheck> {
  if (timestamp !== undefined) {
    const t = timestamp.trim();
    if (!/^\d{1,12}$/.test(t)) return 'timestamp_invalid';
    if (!(await verifyHmacSha256(secret, signedPayload(body, t), signature))) return 'signature_invalid';
    // Checked after the signature, so an unsigned caller learns nothing about the clock.
    return Math.abs(nowMs / 1000 - Number(t)) <= SIGNATURE_TOLERANCE_SECONDS ? 'ok' : 'timestamp_out_of_tolerance';
  }
  return (await verifyHmacSha256(secret, body, signature)) ? 'ok' : 'signature_invalid';
}

export async function hmacSha256Hex(secret: string, body: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), body)));
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  return constantTimeEqual(expected, (presented ?? '').replace(/^Bearer\s+/i, ''));
}
