/** The two identity providers switchback routes between. Auth0 is the safe side. */
export const PROVIDER_IDS = ['auth0', 'olympus'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
export const SAFE_PROVIDER: ProviderId = 'auth0';

export function isProviderId(value: unknown): value is ProviderId {
  return value === 'auth0' || value === 'olympus';
}
