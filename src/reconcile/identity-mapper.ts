/**
 * Maps an Olympus (Kratos) identity to the provider-neutral legacy user that
 * brings it back (reconcile-target.ts `LegacyUserDraft`), and decides whether
 * it needs bringing back at all. Pure. What each provider does with the
 * draft (which hashes it takes, where the mark goes) is its target's job.
 *
 * - Identities imported from the legacy provider in the first place
 *   (metadata_admin.legacy_auth0_id) already exist there: skipped, and never
 *   emailed, unless they changed their password in Olympus since
 *   (legacy-password.ts: the mirror carries it back or notes it).
 * - `name` is built from the optional first/last names: never
 *   "undefined undefined".
 * - `emailVerified` comes from the identity's verifiable addresses.
 * - The Olympus id goes into the target's mark (legacy-mark.ts) so the two
 *   records can be joined, and `reconcile --undo` removes exactly what a run
 *   created.
 */
import type { KratosIdentity } from './kratos-identity.ts';
import type { LegacyUserDraft } from './reconcile-target.ts';

export type Decision =
  | { action: 'skip'; status: 'skipped_legacy' | 'skipped_no_email' | 'skipped_inactive'; detail: string }
  | { action: 'create'; user: LegacyUserDraft };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * The legacy provider's user id of an identity imported from it, if it was:
 * `metadata_admin.legacy_id` (any legacy kind), or `legacy_auth0_id`, its
 * historical name (kept like the role id `auth0`, whatever the kind).
 */
export function legacyIdOf(identity: KratosIdentity): string | undefined {
  const m = identity.metadata_admin as Record<string, unknown> | undefined;
  return m ? (text(m.legacy_id) ?? text(m.legacy_auth0_id)) : undefined;
}

export function decide(identity: KratosIdentity): Decision {
  const legacy = legacyIdOf(identity);
  if (legacy) return { action: 'skip', status: 'skipped_legacy', detail: `imported from the legacy provider (${legacy})` };
  if (identity.state && identity.state !== 'active') return { action: 'skip', status: 'skipped_inactive', detail: `identity state ${identity.state}` };
  const user = draftOf(identity);
  return user ? { action: 'create', user } : { action: 'skip', status: 'skipped_no_email', detail: 'no usable traits.email' };
}

/** The legacy user an identity maps to (also for an imported one: the mirror carries its changed password back); undefined without a usable email. */
export function draftOf(identity: KratosIdentity): LegacyUserDraft | undefined {
  const email = text(identity.traits.email)?.toLowerCase();
  if (!email || !EMAIL.test(email)) return undefined;
  const given = text(identity.traits.first_name) ?? text((identity.traits.name as Record<string, unknown> | undefined)?.first);
  const family = text(identity.traits.last_name) ?? text((identity.traits.name as Record<string, unknown> | undefined)?.last);
  const name = [given, family].filter(Boolean).join(' ') || undefined;
  const verified = (identity.verifiable_addresses ?? []).some((a) => a.verified && a.value?.toLowerCase() === email);
  const hash = text(identity.credentials?.password?.config?.hashed_password);
  const externalId = text(identity.external_id);
  const user: LegacyUserDraft = {
    identityId: identity.id,
    email,
    emailVerified: verified,
    ...(name ? { name } : {}),
    ...(given ? { givenName: given } : {}),
    ...(family ? { familyName: family } : {}),
    ...(externalId ? { externalId } : {}),
    createdAt: identity.created_at,
    ...(hash ? { hash } : {}),
  };
  return user;
}

/** What the mirror compares to notice a change worth writing to the legacy side (profile and password). */
export function draftFingerprint(d: LegacyUserDraft): { profile: string; hash: string } {
  return { profile: JSON.stringify([d.email, d.emailVerified, d.name ?? null, d.givenName ?? null, d.familyName ?? null]), hash: d.hash ?? '' };
}
