/**
 * Which provider a browser is sent to. Pure: flag, cohort and what is known
 * about the person in, provider out.
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
import type { ProviderId } from '../core/provider-id.ts';
import type { FlagRecord } from './flag-record.ts';

export type LoginIntent = 'login' | 'signup' | 'recovery';

export function chooseProvider(flag: Pick<FlagRecord, 'enabled' | 'percent'>, intent: LoginIntent, cohort: number, olympusOnlyUser = false): ProviderId {
  if (!flag.enabled) return 'auth0';
  if (olympusOnlyUser) return 'olympus';
  const percent = flag.percent ?? 100;
  if (intent === 'signup') return percent > 0 ? 'olympus' : 'auth0';
  return cohort < percent ? 'olympus' : 'auth0';
}
