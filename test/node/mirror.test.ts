/**
 * `switchback mirror` against the Kratos admin and Auth0 stand-ins: a burst
 * of 1,000 signups is mirrored with every identity accounted for (hashes
 * carried, no email sent); a lost web hook is caught by the sweep; an email
 * change and a password change are mirrored onto the same Auth0 user; a
 * mirror SIGKILLed mid-burst and restarted loses and duplicates nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KratosIdentity } from '../../dev/kratos-admin/index.ts';
import { hashPassword } from '../../dev/kratos-admin/identity-directory.ts';
import { burst, postHook, signUp, spawnMirror, startMirrorFixture, type MirrorFixture } from './support/mirror-harness.ts';
import { hashOf, isLegacy } from './support/reconcile-harness.ts';
import type { MirrorHeartbeat } from '../../src/rollback/mirror-state.ts';
import { HeartbeatRefused } from '../../scripts/mirror/mirror-process.ts';
import { readFile, writeFile } from 'node:fs/promises';

let fx: MirrorFixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

/** Every identity accounted for: one Auth0 user with its mark and its hash, or none for legacy ones; no email. */
function expectMirrored(f: MirrorFixture, list: KratosIdentity[]) {
  const problems: string[] = [];
  for (const i of list) {
    const users = f.auth0.usersByEmail(i.traits.email);
    if (isLegacy(i)) {
      if (users.length) problems.push(`${i.traits.email}: legacy identity written to Auth0`);
      continue;
    }
    if (users.length !== 1) {
      problems.push(`${i.traits.email}: ${users.length} users`);
      continue;
    }
    const u = users[0]!;
    const meta = u.profile.app_metadata as Record<string, unknown>;
    if (meta.olympus_id !== i.id || meta.written_by !== 'mirror') problems.push(`${i.traits.email}: mark ${JSON.stringify(meta)}`);
    const h = hashOf(i);
    const carried = u.credential?.kind === 'password_hash' ? u.credential.hash : u.credential?.kind === 'custom_password_hash' ? u.credential.custom.hash.value : undefined;
    if (h && carried !== h) problems.push(`${i.traits.email}: hash not carried`);
    if (meta.password !== (h ? 'kept' : 'reset')) problems.push(`${i.traits.email}: password ${String(meta.password)}`);
    if (meta.reset_claimed_by !== undefined) problems.push(`${i.traits.email}: reset claimed before any rollback`);
  }
  expect(problems).toEqual([]);
  expect(f.auth0.users.size).toBe(list.filter((i) => !isLegacy(i)).length);
  expect(f.auth0.emails).toEqual([]);
}

describe('switchback mirror', () => {
  it('mirrors a burst of 1,000 signups from their web hooks: every identity accounted for, hashes carried, nobody emailed', async () => {
    fx = await startMirrorFixture();
    const m = await fx.start();
    const list = burst(1000, 1);
    await signUp(fx.kratos, m.url, list);
    await m.idle(30_000);
    expectMirrored(fx, list);
    const s = m.mirror.snapshot();
    const legacy = list.filter(isLegacy).length;
    expect(s.counts).toMatchObject({ mirrored: 1000 - legacy, skipped: legacy, failed: 0, hooks: 1000, hooks_dropped: 0 });
    expect(s.counts.with_password).toBe(list.filter((i) => !isLegacy(i) && hashOf(i)).length);
    expect(s).toMatchObject({ backlog: 0, unmirrored_signups: 0, oldest_unmirrored_created_at: null });
    expect(s.lag_ms?.n).toBe(1000 - legacy);
    // Bulk: a few import jobs, not a thousand POST /users.
    expect(fx.auth0.jobs.size).toBeLessThan(40);
  }, 60_000);

  it('catches a lost web hook with the sweep of GET /admin/identities', async () => {
    fx = await startMirrorFixture();
    const m = await fx.start();
    await m.idle();
    const [heard, lost] = burst(2, 2, 0);
    await signUp(fx.kratos, m.url, [heard!]);
    await signUp(fx.kratos, m.url, [lost!], false);
    await m.idle();
    expect(fx.auth0.usersByEmail(lost!.traits.email)).toHaveLength(0);
    expect(m.mirror.snapshot().counts.hooks).toBe(1);
    const swept = await m.sweep();
    expect(swept).toEqual({ seen: 2, queued: 1 });
    await m.idle();
    expectMirrored(fx, [heard!, lost!]);
    expect(m.mirror.snapshot().last_sweep_at).not.toBeNull();
    // A second sweep finds nothing to do.
    expect(await m.sweep()).toEqual({ seen: 2, queued: 0 });
  });

  it('mirrors an email change and a password change (settings web hook) onto the same Auth0 user', async () => {
    fx = await startMirrorFixture();
    const m = await fx.start();
    const [ann] = burst(1, 3, 0);
    const oldEmail = ann!.traits.email;
    ann!.credentials = { password: { type: 'password', identifiers: [ann!.traits.email], version: 0, config: { hashed_password: hashPassword('first-Password-1') }, created_at: ann!.created_at, updated_at: ann!.created_at } };
    await signUp(fx.kratos, m.url, [ann!]);
    await m.idle();
    const before = fx.auth0.usersByEmail(ann!.traits.email)[0]!;
    const userId = before.profile.user_id;

    // Settings flow: a new email (and name), then a new password.
    const stored = fx.kratos.identities.get(ann!.id)!;
    stored.traits = { ...stored.traits, email: 'ann.new@example.test', first_name: 'Ann', last_name: 'Newname' };
    stored.verifiable_addresses = [{ ...stored.verifiable_addresses[0]!, value: 'ann.new@example.test', verified: false }];
    expect(await postHook(m.url, stored)).toBe(202);
    await m.idle();
    expect(fx.auth0.usersByEmail(oldEmail)).toHaveLength(0);
    const moved = fx.auth0.usersByEmail('ann.new@example.test');
    expect(moved).toHaveLength(1);
    expect(moved[0]!.profile).toMatchObject({ user_id: userId, name: 'Ann Newname', family_name: 'Newname' });

    const newHash = hashPassword('second-Password-2');
    stored.credentials!.password!.config = { hashed_password: newHash };
    expect(await postHook(m.url, stored)).toBe(202);
    await m.idle();
    const rehashed = fx.auth0.usersByEmail('ann.new@example.test');
    expect(rehashed).toHaveLength(1);
    // Auth0 takes a hash only on import: deleted and imported again under the same user_id.
    expect(rehashed[0]!.profile.user_id).toBe(userId);
    expect(rehashed[0]!.credential).toMatchObject({ kind: 'custom_password_hash', custom: { hash: { value: newHash } } });
    expect((rehashed[0]!.profile.app_metadata as Record<string, unknown>).olympus_id).toBe(ann!.id);
    expect(fx.auth0.users.size).toBe(1);
    expect(fx.auth0.emails).toEqual([]);
  });

  it("leaves alone an Auth0 account that already holds a signup's address, and tells the controller once (legacy_owned) when that account came first, across a restart", async () => {
    fx = await startMirrorFixture({ auth0: { users: [{ email: 'taken@example.com', given_name: 'Owner', password: 'An-0wner-Passw0rd!' }] } });
    const beats: MirrorHeartbeat[] = [];
    const report = async (hb: MirrorHeartbeat) => void beats.push(hb);
    const m = await fx.start({ report });
    const [base, other, late] = burst(3, 9, 0);
    const squat = { ...base!, traits: { ...base!.traits, email: 'taken@example.com' } };
    // An account made at Auth0 after the Olympus signup (someone taking the new user's address during the mirror's lag): not reported.
    const after = { ...late!, traits: { ...late!.traits, email: 'after@example.com' } };
    await new Promise((r) => setTimeout(r, 5));
    fx.auth0.seedUser({ email: 'after@example.com' });
    await signUp(fx.kratos, m.url, [squat, other!, after]);
    await m.idle();
    // The owners' accounts: one user each, untouched, no switchback mark.
    for (const email of ['taken@example.com', 'after@example.com']) {
      const owner = fx.auth0.usersByEmail(email);
      expect(owner).toHaveLength(1);
      expect(owner[0]!.profile.app_metadata ?? {}).not.toHaveProperty('olympus_id');
    }
    expect(fx.auth0.usersByEmail('taken@example.com')[0]!.profile.given_name).toBe('Owner');
    expect(m.mirror.unreported()).toEqual(expect.arrayContaining([{ id: squat.id, owned: true }, { id: other!.id, password: expect.any(String) }]));
    expect(m.mirror.unreported().map((u) => u.id)).not.toContain(after.id);

    await m.heartbeat();
    expect(beats.at(-1)).toMatchObject({ legacy_owned: [squat.id], mirrored_with_password: [other!.id] });
    await m.heartbeat();
    // Heard once: not sent again, and a body with none leaves the field out (an older gateway refuses it).
    expect(beats.at(-1)).not.toHaveProperty('legacy_owned');
    expect(m.mirror.unreported()).toEqual([]);

    // The journal keeps the finding and that the controller heard it.
    await m.stop();
    const again = await fx.start({ report });
    expect(again.mirror.unreported()).toEqual([]);
    expect(again.mirror.snapshot().counts).toMatchObject({ mirrored: 1, skipped: 2 });
    expect(fx.auth0.usersByEmail('taken@example.com')).toHaveLength(1);
  });

  it('a gateway older than legacy_owned (400 on it) still gets the mirrored ids; the legacy-owned wait, unacknowledged', async () => {
    fx = await startMirrorFixture({ auth0: { users: [{ email: 'held@example.com' }] } });
    const beats: MirrorHeartbeat[] = [];
    const report = async (hb: MirrorHeartbeat) => {
      if ('legacy_owned' in hb) throw new HeartbeatRefused(400, 'POST /mirror/heartbeat answered 400: unknown key legacy_owned');
      beats.push(hb);
    };
    const m = await fx.start({ report });
    const [a, b] = burst(2, 10, 0);
    const held = { ...a!, traits: { ...a!.traits, email: 'held@example.com' } };
    await signUp(fx.kratos, m.url, [held, b!]);
    await m.idle();
    await m.heartbeat();
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ mirrored_with_password: [b!.id] });
    expect(m.mirror.unreported()).toEqual([{ id: held.id, owned: true }]);
  });

  it('a journal written before legacy_owned: its "not created by switchback" findings are judged again by the next sweep', async () => {
    fx = await startMirrorFixture({ auth0: { users: [{ email: 'before@example.com' }] } });
    const first = await fx.start();
    const [a] = burst(1, 11, 0);
    const held = { ...a!, traits: { ...a!.traits, email: 'before@example.com' } };
    await signUp(fx.kratos, first.url, [held]);
    await first.idle();
    await first.stop();
    // What the previous release journaled for it: the same skipped event (same fingerprint) without `owned`.
    const lines = (await readFile(fx.journalPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.e === 'skipped' && l.id === held.id && l.owned === true)).toBe(true);
    await writeFile(fx.journalPath, lines.map((l) => JSON.stringify(l.e === 'skipped' ? { ...l, owned: undefined } : l)).join('\n') + '\n');

    const m = await fx.start();
    await m.sweep();
    await m.idle();
    expect(m.mirror.unreported()).toEqual([{ id: held.id, owned: true }]);
    expect(fx.auth0.usersByEmail('before@example.com')).toHaveLength(1);
  });

  it('refuses hooks without the token, and bad bodies, with a 4xx', async () => {
    fx = await startMirrorFixture();
    const m = await fx.start();
    const [x] = burst(1, 4, 0);
    expect(await postHook(m.url, x!, 'wrong')).toBe(401);
    const bad = await fetch(`${m.url}/hooks/kratos`, { method: 'POST', headers: { authorization: 'mirror-hook-token-for-tests', 'content-type': 'application/json' }, body: '{"identity":{"id":1}}' });
    expect(bad.status).toBe(400);
    expect(m.mirror.backlog).toBe(0);
  });

  it('killed (SIGKILL) in the middle of a burst and restarted: nobody lost, nobody duplicated', async () => {
    fx = await startMirrorFixture();
    const first = spawnMirror(fx.env());
    const url = await first.url;
    const list = burst(1000, 5);
    // Hooks keep coming while it dies: those sent after the kill are lost (the restart's sweep finds them).
    const sending = signUp(fx.kratos, url, list);
    const t0 = Date.now();
    while (fx.auth0.users.size < 250 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
    first.kill();
    await first.exited;
    await sending;
    const afterKill = fx.auth0.users.size;
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(list.filter((i) => !isLegacy(i)).length);

    const second = spawnMirror(fx.env());
    try {
      await second.url; // it sweeps at start
      const t1 = Date.now();
      while (fx.auth0.users.size < list.filter((i) => !isLegacy(i)).length && Date.now() - t1 < 30_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      expectMirrored(fx, list);
    } finally {
      second.kill();
      await second.exited;
    }
  }, 90_000);
});
