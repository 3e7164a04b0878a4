/**
 * The decision step after a rule's evaluation: its streak of breaching
 * evaluations and whether it fires. Pure (`now` and plain data in), so the
 * controller's rule loop and the simulator (`npm run simulate`) run the same
 * decision, including the streak expiry.
 *
 * - A breach adds to the streak, an ok starts over, an inconclusive holds it
 *   (no evidence either way), see nextStreak().
 * - A streak held across inconclusive evaluations expires one window after
 *   its last breach: two breaches at dusk and one at dawn are not three in a row.
 * - While the flag is on Auth0 nothing counts: the streak stays 0 and nothing fires.
 */
import { nextStreak, type Verdict } from './rule-evaluator.ts';

export interface StreakState {
  streak: number;
  /** When the rule last breached (ms), if it ever did. */
  breachAt: number | undefined;
}

export interface StreakInput {
  now: number;
  verdict: Verdict;
  previous: StreakState;
  windowSeconds: number;
  consecutive: number;
  /** True while Olympus is enabled (there is something to roll back). */
  counting: boolean;
}

export interface StreakDecision extends StreakState {
  /** This evaluation completes the streak: roll back (or notify, in a dry run). */
  fires: boolean;
}

export function streakStep(i: StreakInput): StreakDecision {
  let streak = i.counting ? nextStreak(i.previous.streak, i.verdict) : 0;
  let breachAt = i.previous.breachAt;
  if (i.verdict === 'breach') breachAt = i.now;
  else if (streak > 0 && i.now - (breachAt ?? 0) > i.windowSeconds * 1000) streak = 0;
  return { streak, breachAt, fires: i.counting && i.verdict === 'breach' && streak >= i.consecutive };
}
