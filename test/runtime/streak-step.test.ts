/** The decision step after each evaluation (streakStep): the controller and the simulator run this one function. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/rollback/rule-evaluator.ts';
import { streakStep, type StreakState } from '../../src/rollback/streak-step.ts';

const WINDOW_S = 300;
const EVERY_MS = 10_000;

/** Runs verdicts one evaluation apart from t = 0; returns the streak and fire after each. */
function run(verdicts: Verdict[], opts: { consecutive?: number; counting?: boolean; everyMs?: number } = {}) {
  let state: StreakState = { streak: 0, breachAt: undefined };
  return verdicts.map((verdict, i) => {
    const d = streakStep({ now: i * (opts.everyMs ?? EVERY_MS), verdict, previous: state, windowSeconds: WINDOW_S, consecutive: opts.consecutive ?? 3, counting: opts.counting ?? true });
    state = d;
    return `${d.streak}${d.fires ? '!' : ''}`;
  });
}

const b: Verdict = 'breach';
const o: Verdict = 'ok';
const i: Verdict = 'inconclusive';

describe('streakStep', () => {
  it.each([
    ['three breaches fire on the third', [b, b, b], ['1', '2', '3!']],
    ['an ok starts over', [b, b, o, b, b], ['1', '2', '0', '1', '2']],
    ['an inconclusive holds the streak and never adds to it', [b, b, i, b], ['1', '2', '2', '3!']],
    ['only a breach fires, never a held streak', [b, b, b, i], ['1', '2', '3!', '3']],
  ] as const)('%s', (_name, verdicts, expected) => {
    expect(run([...verdicts])).toEqual(expected);
  });

  it('a held streak expires one window after its last breach', () => {
    // Two breaches, then inconclusive for longer than the 300 s window: the streak is gone.
    const verdicts: Verdict[] = [b, b, ...Array<Verdict>(31).fill(i), b];
    const out = run(verdicts);
    expect(out[31]).toBe('2'); // 300 s after the last breach (t = 10 s -> 310 s): still held
    expect(out[32]).toBe('0'); // 320 s: more than a window, expired
    expect(out[33]).toBe('1'); // a new breach starts a new streak, it does not complete the old one
  });

  it('with the flag on Auth0 nothing counts and nothing fires, but breaches are remembered', () => {
    const d = streakStep({ now: 5_000, verdict: 'breach', previous: { streak: 2, breachAt: 1_000 }, windowSeconds: WINDOW_S, consecutive: 1, counting: false });
    expect(d).toEqual({ streak: 0, breachAt: 5_000, fires: false });
  });

  it('an ok keeps the last breach time (the expiry reads it)', () => {
    const d = streakStep({ now: 50_000, verdict: 'ok', previous: { streak: 1, breachAt: 40_000 }, windowSeconds: WINDOW_S, consecutive: 3, counting: true });
    expect(d).toEqual({ streak: 0, breachAt: 40_000, fires: false });
  });
});
