/**
 * Encrypted, authenticated cookie values (JWE compact, `dir` + A256GCM).
 *
 * Each purpose (session, login transaction) gets its own key, derived from
 * SESSION_SECRET with HKDF, so a value sealed for one purpose can never be
 * opened as another. Keys are derived once per isolate.
 */
import { base64url, EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';
import { CLOCK_SKEW_SECONDS } from './clock.ts';

export type SealPurpose = 'session' | 'login' | 'console';

/**
 * Protected-header mark of a value sealed by a release that names its cookies
 * `__Host-` when secure (http/cookie-names.ts). In the JWE protected header it
 * is readable without the key and authenticated with the value (AAD): it can
 * be neither stripped nor added without SESSION_SECRET.
 */
const PREFIXED_NAME_MARK = { snm: 1 } as const;

const keys = new Map<string, CryptoKey>();

/**
 * Derived and imported once per isolate and purpose: no key import on the hot path. The map holds
 * settled keys only, never a pending derivation shared across requests (the isolate-cache rule);
 * two first requests may both derive, which is cheap and happens once.
 */
async function keyFor(secret: string, purpose: SealPurpose): Promise<CryptoKey> {
  const id = `${purpose}\u0000${secret}`;
  const hit = keys.get(id);
  if (hit) return hit;
  const ikm = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('switchback/v1'), info: new TextEncoder().encode(`cookie:${purpose}`) },
    ikm,
    256,
  );
  const key = await crypto.subtle.importKey('raw', new Uint8Array(bits), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  keys.set(id, key);
  return key;
}

export async function seal(secret: string, purpose: SealPurpose, claims: JWTPayload, expiresAt: number): Promise<string> {
  return new EncryptJWT({ ...claims, pur: purpose })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', ...PREFIXED_NAME_MARK })
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .encrypt(await keyFor(secret, purpose));
}

/**
 * True when `value` was sealed by a release that sets the `__Host-` names:
 * found under a bare name, such a value was not set there by the gateway but
 * planted (a sibling subdomain or a plain-http response can set a bare name,
 * never a `__Host-` one). Pure header peek, never throws.
 */
export function sealedForPrefixedName(value: string): boolean {
  const header = value.split('.', 1)[0]!;
  if (header.length > 512) return false;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(base64url.decode(header))) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>).snm === PREFIXED_NAME_MARK.snm;
  } catch {
    return false;
  }
}

/** Opens a sealed value; throws on tampering, wrong purpose, expiry or garbage. */
export async function unseal(secret: string, purpose: SealPurpose, value: string, maxBytes = 4096): Promise<JWTPayload> {
  if (value.length > maxBytes || value.split('.').length !== 5) throw new Error('not a sealed value');
  const { payload } = await jwtDecrypt(value, await keyFor(secret, purpose), {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
    clockTolerance: CLOCK_SKEW_SECONDS,
    requiredClaims: ['exp'],
  });
  if (payload.pur !== purpose) throw new Error('sealed for another purpose');
  return payload;
}
