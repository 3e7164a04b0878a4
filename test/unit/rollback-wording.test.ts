/**
 * The rollback command's claims (scripts/cli/rollback-wording.ts): "delivered"
 * only when the gateway has a receiver, "within the target" only for a run
 * that succeeded in time; a late run says by how much.
 */
import { describe, expect, it } from 'vitest';
import { NO_RECEIVER, notifyDetail, totalVerdict } from '../../scripts/cli/rollback-wording.ts';

describe('notify step wording', () => {
  it('names the receivers it delivered to', () => {
    expect(notifyDetail(true, ['webhook'], 812)).toBe('gateway outbox empty after 812 ms: rollback.triggered and rollback.completed delivered to webhook');
    expect(notifyDetail(true, ['webhook', 'email'], 5)).toMatch(/delivered to webhook and email$/);
  });

  it('never says delivered when it cannot know, or when nothing was flipped', () => {
    expect(notifyDetail(true, undefined, 5)).not.toContain('delivered');
    expect(notifyDetail(false, ['webhook'], 5)).toBe('gateway outbox empty after 5 ms: nothing new to send (nothing was flipped)');
  });

  it('without a receiver, says so and asks the operator to tell on-call', () => {
    expect(NO_RECEIVER).toMatch(/^no receiver configured \(NOTIFY_WEBHOOK_URL/);
    expect(NO_RECEIVER).not.toContain('delivered');
    expect(NO_RECEIVER).toContain('tell the on-call channel yourself');
  });
});

describe('total verdict', () => {
  it.each([
    [3_200, true, 'within the 10 s target'],
    [10_000, true, 'within the 10 s target'],
    [12_345, true, 'OVER the 10 s target by 2345 ms'],
    [12_345, false, 'OVER the 10 s target by 2345 ms'],
    [3_200, false, 'FAILED, so not within the 10 s target'],
  ])('%i ms, ok %s: %s', (totalMs, ok, expected) => {
    expect(totalVerdict(totalMs, 10_000, ok)).toBe(expected);
  });
});
