/**
 * The sticky percentage cohort: a number 0-99 kept in a cookie (`cohort` in
 * http/cookie-names.ts) so a browser lands on the same provider from one login
 * to the next while `percent` runs. Not a secret: choosing one's own cohort
 * only chooses a provider.
 */
export const COHORT_MAX_AGE_SECONDS = 365 * 86400;

/**
 * The cohort a browser joins when it signs up through Olympus: 0 is below
 * every `percent` > 0, so its next login lands on Olympus, where its account
 * is, whatever the rollout share (routing-policy.ts).
 */
export const OLYMPUS_SIGNUP_COHORT = 0;

export function parseCohort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,2}$/.test(value)) return undefined;
  return Number(value);
}

export function newCohort(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! % 100;
}
