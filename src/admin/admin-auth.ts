/**
 * Admin API authentication: bearer API tokens stored hashed (SHA-256 hex) in
 * the ADMIN_TOKENS secret, each with a role. Roles are ordered: a viewer
 * reads, oncall can also roll back, eng-lead can also re-enable Olympus.
 * `mirror` stands outside the order: switchback mirror's heartbeat and
 * nothing else (admin-role.ts); oncall and above may send a heartbeat too.
 */
import type { ActorRole, AdminRole, AdminTokenEntry } from '../config.ts';
import { constantTimeEqual, sha256, toHex } from '../core/bytes.ts';

export interface AdminActor {
  name: string;
  role: ActorRole;
}

const RANK: Record<AdminRole, number> = { viewer: 0, oncall: 1, 'eng-lead': 2 };

export function roleAllows(role: ActorRole, needed: ActorRole): boolean {
  if (role === 'mirror') return needed === 'mirror';
  if (needed === 'mirror') return RANK[role] >= RANK.oncall;
  return RANK[role] >= RANK[needed];
}

/** The ordered role of an actor a route already let through for an ordered role (requireRole); a mirror never gets here. */
export function orderedRole(actor: AdminActor): AdminRole {
  if (actor.role === 'mirror') throw new Error('a mirror token reached a route that needs an ordered role');
  return actor.role;
}

export async function adminActorFor(authorization: string | undefined, tokens: readonly AdminTokenEntry[]): Promise<AdminActor | undefined> {
  const m = /^Bearer (.*)$/i.exec(authorization ?? '');
  const found = m ? await adminTokenEntryFor(m[1]!, tokens) : undefined;
  return found ? { name: found.name, role: found.role } : undefined;
}

/** The ADMIN_TOKENS entry a presented token matches (by SHA-256, compared in constant time), if any. */
export async function adminTokenEntryFor(token: string, tokens: readonly AdminTokenEntry[]): Promise<AdminTokenEntry | undefined> {
  if (!/^[\x21-\x7e]{16,512}$/.test(token)) return undefined;
  const hash = toHex(await sha256(token));
  let found: AdminTokenEntry | undefined;
  for (const t of tokens) if (constantTimeEqual(t.sha256, hash)) found = t;
  return found;
}
