/**
 * A cookie value as the release before the `__Host-` names sealed it: same
 * key and claims, without the protected-header mark this release adds
 * (src/verify/sealed-cookie.ts). Used to test the bare-name fallback, which
 * only such values may use.
 */
import { EncryptJWT, jwtDecrypt } from 'jose';

const SESSION_SECRET = 'test-session-secret-0123456789abcdef0123456789';

async function key(purpose: 'session' | 'login'): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey('raw', new TextEncoder().encode(SESSION_SECRET), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('switchback/v1'), info: new TextEncoder().encode(`cookie:${purpose}`) }, ikm, 256);
  return crypto.subtle.importKey('raw', new Uint8Array(bits), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function asPreviousRelease(value: string, purpose: 'session' | 'login'): Promise<string> {
  const k = await key(purpose);
  const { payload } = await jwtDecrypt(value, k);
  return new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(k);
}
