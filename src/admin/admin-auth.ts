/**
 * Admin API authentication: bearer API tokens stored hashed (SHA-256 hex) in
 * the ADMIN_TOKENS secret, each with a role. Roles are ordered: a viewer
 * reads, oncall can also roll back, eng-lead can also re-enable Olympus.
 */
import type { AdminRole, AdminTokenEntry } from '../config.ts';

export interface AdminActor {
  name: string;
  role: AdminRole;
}

const RANK: Record<AdminRole, number> = { viewer: 0, oncall: 1, 'eng-lead': 2 };

export function roleAllows(role: AdminRole, needed: AdminRole): boolean {
  return RANK[role] >= RANK[needed];
}

async function sha256Hex(s: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function equalHex(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function adminActorFor(authorization: string | undefined, tokens: readonly AdminTokenEntry[]): Promise<AdminActor | undefined> {
  const m = /^Bearer ([\x21-\x7e]{16,512})$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const hash = await sha256Hex(m[1]!);
  let found: AdminTokenEntry | undefined;
  for (const t of tokens) if (equalHex(t.sha256, hash)) found = t;
  return found ? { name: found.name, role: found.role } : undefined;
}
