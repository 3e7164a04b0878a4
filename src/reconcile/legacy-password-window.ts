/**
 * Which identities imported from the legacy provider a reconcile looks at for
 * a password changed in Olympus (legacy-password.ts). Not by created_at (they
 * were imported before the window): by when their password credential last
 * changed. Olympus rewrites it on the hook's first sign-in too, so this only
 * narrows the candidates; the mirror's note on the legacy user decides.
 * Pure.
 */
import { legacyIdOf } from './identity-mapper.ts';
import type { KratosIdentity } from './kratos-identity.ts';
import { inWindow, type ReconcileWindow } from './reconcile-window.ts';

export function legacyPasswordCandidate(identity: KratosIdentity, window: ReconcileWindow): string | undefined {
  const legacy = legacyIdOf(identity);
  const touched = identity.credentials?.password?.updated_at;
  if (!legacy || !identity.credentials?.password?.config?.hashed_password || typeof touched !== 'string' || Number.isNaN(Date.parse(touched))) return undefined;
  return inWindow(touched, window) ? legacy : undefined;
}
