/**
 * The one definition of "a user switchback created" and of who sends its
 * reset email (src/reconcile/legacy-mark.ts), as a table; and the journal's
 * reader, which drops only a last line cut short by a crash.
 */
import { describe, expect, it } from 'vitest';
import { markMetadata, markOf, settleExisting, type Settlement } from '../../src/reconcile/legacy-mark.ts';
import { parseJsonLines } from '../../src/reconcile/journal.ts';
import { foldCheckpoint, type ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import type { TargetUser } from '../../src/reconcile/reconcile-target.ts';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const user = (meta: Record<string, unknown> | undefined, id = 'auth0|1'): TargetUser => ({ id, email: 'a@example.com', mark: markOf(meta) });
const base = { olympus_id: ID, olympus_created_at: '2026-11-30T00:00:00Z', reconciled_by: 'switchback' };

describe('settleExisting', () => {
  const cases: [string, Record<string, unknown> | undefined, Settlement['kind']][] = [
    ['not switchback\'s (no mark)', undefined, 'other'],
    ['another identity\'s mark', { ...base, olympus_id: 'other', reconcile_run: 'mirror-1', written_by: 'mirror', password: 'kept' }, 'other'],
    ['reconciled_by not switchback', { ...base, reconciled_by: 'someone', reconcile_run: 'rc-1', password: 'kept' }, 'other'],
    ['created by this run', { ...base, reconcile_run: 'rc-me', written_by: 'reconcile', password: 'reset', reset_claimed_by: 'rc-me' }, 'ours'],
    ['mirrored with its password', { ...base, reconcile_run: 'mirror-1', written_by: 'mirror', password: 'kept' }, 'kept'],
    ['mirrored without a password, unclaimed', { ...base, reconcile_run: 'mirror-1', written_by: 'mirror', password: 'reset' }, 'claim'],
    ['mirrored without a password, claimed by another run', { ...base, reconcile_run: 'mirror-1', written_by: 'mirror', password: 'reset', reset_claimed_by: 'rc-other' }, 'claimed'],
    ['mirrored without a password, claimed by this run (a retry)', { ...base, reconcile_run: 'mirror-1', written_by: 'mirror', password: 'reset', reset_claimed_by: 'rc-me' }, 'ours'],
    ['an older mark (no password): its run emailed it', { ...base, reconcile_run: 'rc-old' }, 'claimed'],
  ];
  for (const [what, meta, kind] of cases) {
    it(what, () => expect(settleExisting([user(meta)], ID, 'rc-me').kind).toBe(kind));
  }
  it('prefers the user with this identity\'s mark over another account with the email', () => {
    const s = settleExisting([user(undefined, 'auth0|x'), user({ ...base, reconcile_run: 'mirror-1', written_by: 'mirror', password: 'kept' }, 'auth0|m')], ID, 'rc-me');
    expect(s).toMatchObject({ kind: 'kept', user: { id: 'auth0|m' } });
  });
  it('a reconcile claims the reset email with the user it creates; the mirror leaves it unclaimed', () => {
    const d = { identityId: ID, createdAt: '2026-11-30T00:00:00Z' };
    expect(markMetadata(d, { runId: 'rc-1', by: 'reconcile', passwordKept: false, claimReset: true })).toMatchObject({ password: 'reset', reset_claimed_by: 'rc-1' });
    expect(markMetadata(d, { runId: 'mirror-1', by: 'mirror', passwordKept: false, claimReset: false })).not.toHaveProperty('reset_claimed_by');
    expect(markMetadata(d, { runId: 'rc-1', by: 'reconcile', passwordKept: true, claimReset: true })).not.toHaveProperty('reset_claimed_by');
  });
});

describe('the journal', () => {
  const events: ReconcileEvent[] = [
    { e: 'run', run_id: 'rc-1', window: { from: 'a', to: 'b' }, dry_run: false, started_at: 'c' },
    { e: 'line', line: { identity_id: ID, created_at: 'x', status: 'created_reset_sent' } },
    { e: 'emailing', id: 'i2' },
    { e: 'page', next: 'tok', scanned: 250 },
  ];
  const text = events.map((e) => JSON.stringify(e)).join('\n');
  it('folds to the run state; an email started and not confirmed stays `emailing`', () => {
    const cp = foldCheckpoint(parseJsonLines<ReconcileEvent>(`${text}\n`, 'j'))!;
    expect(cp).toMatchObject({ run_id: 'rc-1', next_page_token: 'tok', scanned: 250, pages_done: 1, emailing: { i2: true } });
    expect(Object.keys(cp.lines)).toEqual([ID]);
  });
  it('drops a last line cut short by a crash, refuses a bad line in the middle', () => {
    expect(parseJsonLines(`${text}\n{"e":"emai`, 'j')).toHaveLength(4);
    expect(() => parseJsonLines(`${text}\n{"e":"emai\n{"e":"rescan"}\n`, 'j')).toThrow(/line 5 is not JSON/);
  });
});
