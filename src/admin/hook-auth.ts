/**
 * Authentication of inbound hooks: HMAC-SHA256 of the raw body (hex, in
 * X-Signature, "sha256=" prefix tolerated) for the support-ticket hook, and a
 * shared token compared in constant time for the providers' hooks.
 */
import { constantTimeEqual, toHex } from '../core/bytes.ts';

const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let k = hmacKeys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify', 'sign']);
    hmacKeys.set(secret, k);
  }
  return k;
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

export async function hmacSha256Hex(secret: string, body: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), body)));
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  return constantTimeEqual(expected, (presented ?? '').replace(/^Bearer\s+/i, ''));
}
