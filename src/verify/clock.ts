/** The one clock tolerance used by every verifier (the issue caps it at 60 s). */
export const CLOCK_SKEW_SECONDS = 60;
