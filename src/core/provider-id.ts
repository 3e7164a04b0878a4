/**
 * The two roles switchback routes between: the legacy provider (the safe
 * side) and the target, Olympus. The stored ids keep their historical names,
 * `auth0` for the legacy role whatever its kind (Auth0, Cognito or Clerk:
 * LEGACY_PROVIDER) and `olympus` for the target, because the KV flag, the
 * controller's tables, session cookies and counters hold them (docs/storage.md).
 * Code that means a role says LEGACY / TARGET; the product behind a role is
 * `config.providers[role].kind` (src/providers/kinds/).
 */
export const PROVIDER_IDS = ['auth0', 'olympus'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** The legacy role (stored as 'auth0'). */
export const LEGACY = 'auth0' satisfies ProviderId;
/** The target role, Olympus (stored as 'olympus'). */
export const TARGET = 'olympus' satisfies ProviderId;
export const SAFE_PROVIDER: ProviderId = LEGACY;

export function isProviderId(value: unknown): value is ProviderId {
  return value === 'auth0' || value === 'olympus';
}
