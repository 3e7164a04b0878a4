/**
 * `npm start -- --mirror` (startStack({ mirror: true })): `switchback mirror`
 * runs beside the local stack. An Olympus identity with a bcrypt hash that
 * appears in the Kratos admin stand-in reaches the Auth0 stand-in within a
 * sweep, with its hash (no reset email owed), and the gateway's status shows
 * the mirror's heartbeat and counts it as mirrored.
 */
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { pollUntil } from './support/poll.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ mirror: { sweepSeconds: 1 } });
});
afterAll(async () => {
  await stack?.stop();
});

interface MirrorStatus {
  mirror: { counts: { mirrored: number; with_password: number }; silent: boolean } | null;
}

it('an Olympus signup reaches Auth0 with its hash within a sweep, and /status.mirror reports it', async () => {
  expect(stack.mirror).toBeDefined();
  const email = `mirrored.${Date.now()}@example.com`;
  const [identity] = makeIdentities(1, { seed: 11, from: new Date(Date.now() - 1000), to: new Date(), legacyShare: 0, outsideShare: 0, hashShare: 1 });
  identity!.traits.email = email;
  identity!.verifiable_addresses = identity!.verifiable_addresses.map((a) => ({ ...a, value: email }));
  identity!.credentials!.password!.config = { hashed_password: bcrypt.hashSync('chosen-in-olympus', 4) };
  stack.kratosAdmin.identities.set(identity!.id, identity!);

  const { value: user } = await pollUntil('the signup at the Auth0 stand-in', async () => stack.auth0Api.usersByEmail(email)[0], { timeoutMs: 20_000, intervalMs: 250 });
  // Cost 4: not Auth0's password_hash (cost 10 only), so bcrypt through custom_password_hash.
  expect(user.credential).toMatchObject({ kind: 'custom_password_hash', custom: { algorithm: 'bcrypt', hash: { value: identity!.credentials!.password!.config!.hashed_password } } });
  expect(user.profile.app_metadata).toMatchObject({ olympus_id: identity!.id, written_by: 'mirror', password: 'kept' });
  expect(stack.auth0Api.emails.filter((e) => e.to === email)).toEqual([]);

  const { value: mirror } = await pollUntil('the heartbeat in /status', async () => {
    const st = (await (await fetch(`${stack.gatewayUrl}/_switchback/api/status`, { headers: { authorization: `Bearer ${stack.adminToken}` } })).json()) as MirrorStatus;
    return st.mirror && st.mirror.counts.mirrored >= 1 ? st.mirror : undefined;
  }, { timeoutMs: 15_000, intervalMs: 250 });
  expect(mirror).toMatchObject({ silent: false, counts: { with_password: 1 } });
});
