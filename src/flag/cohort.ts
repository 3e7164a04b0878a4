/**
 * The sticky percentage cohort: a number 0-99 kept in a cookie so a browser
 * lands on the same provider from one login to the next while `percent` runs.
 * Not a secret: choosing one's own cohort only chooses a provider.
 */
export const COHORT_COOKIE = 'sb_cohort';

export function parseCohort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,2}$/.test(value)) return undefined;
  return Number(value);
}

export function newCohort(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! % 100;
}
