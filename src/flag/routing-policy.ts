/**
 * Which role a browser is sent to: the legacy provider (whatever its kind:
 * Auth0, Cognito, Clerk) or the target, Olympus. Pure: flag, cohort and what
 * is known about the person in, role out. "Auth0" below is the legacy role.
 *
 * - login and recovery: Auth0 unless the flag is enabled; with `percent`, the
 *   browser's sticky cohort (0-99) decides, so a person is not bounced between
 *   providers from one login to the next.
 * - signup: every new signup goes to Olympus while the flag is enabled at any
 *   percentage (the plan: "new signups go to Olympus only").
 * - a person known to exist only in Olympus (signed up there, not yet brought
 *   to Auth0) goes to Olympus whenever it is enabled, whatever the cohort:
 *   Auth0 would not know them. After a rollback everyone goes to Auth0 (the
 *   reconcile brings them there).
 */
import { LEGACY, TARGET, type ProviderId } from '../core/provider-id.ts';
import type { FlagRecord } from './flag-record.ts';

export type LoginIntent = 'login' | 'signup' | 'recovery';

export function chooseProvider(flag: Pick<FlagRecord, 'enabled' | 'percent'>, intent: LoginIntent, cohort: number, olympusOnlyUser = false): ProviderId {
  if (!flag.enabled) return LEGACY;
  if (olympusOnlyUser) return TARGET;
  const percent = flag.percent ?? 100;
  if (intent === 'signup') return percent > 0 ? TARGET : LEGACY;
  return cohort < percent ? TARGET : LEGACY;
}
