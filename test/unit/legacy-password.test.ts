/**
 * The reverse of the password migration hook (src/reconcile/legacy-password.ts):
 * which observations are a password change, and what the mirror does with
 * one per target capability and policy. The default never recreates a real
 * legacy account.
 */
import { describe, expect, it } from 'vitest';
import { legacyPasswordAction, noteMetadata, noteOf, observePassword, parseLegacyPasswordPolicy, passwordSeen, resetOwed, type LegacyHashCapability, type LegacyPasswordPolicy, type PasswordSeen } from '../../src/reconcile/legacy-password.ts';

describe('legacyPasswordAction', () => {
  const table: [LegacyHashCapability, LegacyPasswordPolicy, 'replace' | 'note_reset'][] = [
    ['in_place', 'reset', 'replace'],
    ['in_place', 'recreate', 'replace'],
    ['recreate_only', 'reset', 'note_reset'],
    ['recreate_only', 'recreate', 'replace'],
    ['unsupported', 'reset', 'note_reset'],
    ['unsupported', 'recreate', 'note_reset'],
  ];
  it.each(table)('%s with policy %s: %s', (cap, policy, action) => expect(legacyPasswordAction(cap, policy)).toBe(action));

  it('defaults to reset (no recreate of a real account) and refuses anything else than the two words', () => {
    expect(parseLegacyPasswordPolicy(undefined)).toBe('reset');
    expect(parseLegacyPasswordPolicy('')).toBe('reset');
    expect(parseLegacyPasswordPolicy('recreate')).toBe('recreate');
    for (const bad of ['Recreate', 'true', '1', 'in_place']) expect(() => parseLegacyPasswordPolicy(bad)).toThrow(/MIRROR_LEGACY_PASSWORD_CHANGES/);
  });
});

describe('observePassword', () => {
  const a: PasswordSeen = 'h:aaaa';
  const b: PasswordSeen = 'h:bbbb';
  const table: [PasswordSeen | undefined, PasswordSeen, 'hook' | 'sweep', boolean, string][] = [
    [undefined, 'pending', 'sweep', false, 'imported, not migrated yet'],
    [undefined, a, 'sweep', false, 'first seen with a hash: taken as the hook migration'],
    ['pending', a, 'sweep', false, 'the hook migrated it (found by a sweep)'],
    ['pending', a, 'hook', true, 'a settings web hook: migrated AND changed since the last look'],
    [a, a, 'sweep', false, 'unchanged'],
    [a, a, 'hook', false, 'a settings hook for a profile change'],
    [a, b, 'sweep', true, 'changed (sweep)'],
    [a, b, 'hook', true, 'changed (settings hook)'],
    [a, 'pending', 'sweep', false, 'put back on the migration hook by an admin: nothing to carry'],
  ];
  it.each(table)('%s -> %s (%s): changed %s (%s)', (before, now, trigger, changed) => {
    expect(observePassword(before, now, trigger)).toEqual({ seen: now, changed });
  });

  it('keeps a digest, never the hash', async () => {
    const hash = '$pbkdf2-sha256$i=1000,l=32$c2FsdA$aGFzaA';
    const seen = await passwordSeen(hash);
    expect(seen).toMatch(/^h:[0-9a-f]{24}$/);
    expect(seen).not.toContain('aGFzaA');
    expect(await passwordSeen(hash)).toBe(seen);
    expect(await passwordSeen(`${hash}x`)).not.toBe(seen);
    expect(await passwordSeen(undefined)).toBe('pending');
  });
});

describe('the note on the legacy user', () => {
  it('round-trips, and a reset is owed until someone claims it', () => {
    const meta = { ...noteMetadata({ at: '2026-11-30T05:00:00.000Z', by: 'mirror-1', state: 'reset' }), other: 1 };
    const n = noteOf(meta);
    expect(n).toEqual({ at: '2026-11-30T05:00:00.000Z', by: 'mirror-1', state: 'reset', resetClaimedBy: undefined });
    expect(resetOwed(n)).toBe(true);
    expect(resetOwed(noteOf({ ...meta, reset_claimed_by: 'run-1' }))).toBe(false);
    expect(resetOwed(noteOf(noteMetadata({ at: 'x', by: 'm', state: 'carried' })))).toBe(false);
    expect(noteOf({})).toBeUndefined();
    expect(noteOf({ ...meta, password_change_state: 'maybe' })).toBeUndefined();
  });
});
