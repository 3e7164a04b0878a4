/**
 * Maps an Olympus (Kratos) identity to the Auth0 user that brings it back,
 * and decides what a reconcile does with it. Pure.
 *
 * - Identities imported from Auth0 in the first place (metadata_admin.
 *   legacy_auth0_id) already exist there: skipped, and never emailed.
 * - `name` is built from the optional first/last names: never
 *   "undefined undefined".
 * - `email_verified` comes from the identity's verifiable addresses (Auth0
 *   sets it to false unless told).
 * - The Olympus id is kept in app_metadata (and external_id where present) so
 *   the two records can be joined, and `reconcile --undo` removes exactly
 *   what a run created.
 * - A Kratos password hash Auth0 can verify is carried over (bcrypt as
 *   `password_hash`, argon2 and pbkdf2 as `custom_password_hash`, through a
 *   user-import job); otherwise the user gets an unusable random password and
 *   a password-change email.
 */
import type { KratosIdentity } from './kratos-identity.ts';

export type PasswordCarry =
  | { kind: 'bcrypt'; password_hash: string }
  | { kind: 'custom'; custom_password_hash: { algorithm: 'argon2' | 'pbkdf2'; hash: { value: string; encoding?: 'utf8' } } }
  | { kind: 'none' };

export interface Auth0UserDraft {
  email: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  app_metadata: { olympus_id: string; olympus_external_id?: string; olympus_created_at: string; reconciled_by: string; reconcile_run: string };
  password: PasswordCarry;
}

export type Decision =
  | { action: 'skip'; status: 'skipped_legacy' | 'skipped_no_email' | 'skipped_inactive'; detail: string }
  | { action: 'create'; user: Auth0UserDraft };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export function passwordCarry(hash: string | undefined): PasswordCarry {
  if (!hash) return { kind: 'none' };
  if (/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) return { kind: 'bcrypt', password_hash: hash };
  if (hash.startsWith('$argon2id$') || hash.startsWith('$argon2i$')) return { kind: 'custom', custom_password_hash: { algorithm: 'argon2', hash: { value: hash, encoding: 'utf8' } } };
  if (/^\$pbkdf2-sha(1|256|512)\$/.test(hash)) return { kind: 'custom', custom_password_hash: { algorithm: 'pbkdf2', hash: { value: hash, encoding: 'utf8' } } };
  return { kind: 'none' };
}

export function decide(identity: KratosIdentity, runId: string): Decision {
  const legacy = identity.metadata_admin && text((identity.metadata_admin as Record<string, unknown>).legacy_auth0_id);
  if (legacy) return { action: 'skip', status: 'skipped_legacy', detail: `imported from Auth0 (${legacy})` };
  if (identity.state && identity.state !== 'active') return { action: 'skip', status: 'skipped_inactive', detail: `identity state ${identity.state}` };
  const email = text(identity.traits.email)?.toLowerCase();
  if (!email || !EMAIL.test(email)) return { action: 'skip', status: 'skipped_no_email', detail: 'no usable traits.email' };
  const given = text(identity.traits.first_name) ?? text((identity.traits.name as Record<string, unknown> | undefined)?.first);
  const family = text(identity.traits.last_name) ?? text((identity.traits.name as Record<string, unknown> | undefined)?.last);
  const name = [given, family].filter(Boolean).join(' ') || undefined;
  const verified = (identity.verifiable_addresses ?? []).some((a) => a.verified && a.value?.toLowerCase() === email);
  const user: Auth0UserDraft = {
    email,
    email_verified: verified,
    ...(name ? { name } : {}),
    ...(given ? { given_name: given } : {}),
    ...(family ? { family_name: family } : {}),
    app_metadata: {
      olympus_id: identity.id,
      ...(text(identity.external_id) ? { olympus_external_id: text(identity.external_id)! } : {}),
      olympus_created_at: identity.created_at,
      reconciled_by: 'switchback',
      reconcile_run: runId,
    },
    password: passwordCarry(identity.credentials?.password?.config?.hashed_password),
  };
  return { action: 'create', user };
}

/**
 * The one definition, shared by the reconcile workflow, `switchback
 * reconcile` and its `--undo`, of "this run created this Auth0 user": its
 * app_metadata names this Olympus identity and this run. A user of the same
 * identity created by another run (the CLI, or the workflow of an earlier
 * rollback) was created, and emailed, by that run: to this one it already
 * exists, so it is never emailed twice.
 */
export function createdByRun(user: { app_metadata?: Record<string, unknown> | undefined }, identityId: string, runId: string): boolean {
  const m = user.app_metadata as { olympus_id?: unknown; reconcile_run?: unknown } | undefined;
  return m?.olympus_id === identityId && m?.reconcile_run === runId;
}

/** An unusable password that satisfies Auth0's password policies; the user resets it. */
export function unusablePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}aA1!`;
}
