/**
 * Which provider a browser is sent to. Pure: flag and cohort in, provider out.
 *
 * - login and recovery: Auth0 unless the flag is enabled; with `percent`, the
 *   browser's sticky cohort (0-99) decides, so a person is not bounced between
 *   providers from one login to the next.
 * - signup: every new signup goes to Olympus while the flag is enabled at any
 *   percentage (the plan: "new signups go to Olympus only").
 */
import type { ProviderId } from '../core/provider-id.ts';
import type { FlagRecord } from './flag-record.ts';

export type LoginIntent = 'login' | 'signup' | 'recovery';

export function chooseProvider(flag: Pick<FlagRecord, 'enabled' | 'percent'>, intent: LoginIntent, cohort: number): ProviderId {
  if (!flag.enabled) return 'auth0';
  const percent = flag.percent ?? 100;
  if (intent === 'signup') return percent > 0 ? 'olympus' : 'auth0';
  return cohort < percent ? 'olympus' : 'auth0';
}
