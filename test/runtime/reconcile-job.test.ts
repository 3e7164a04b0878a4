/**
 * Signups captured at the edge, and the durable reconcile job a rollback
 * starts (Cloudflare Workflows), with its progress in the status.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetState, testEnv } from './support/gateway.ts';
import { auditTypes, sleep, status, stub } from './support/controller.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

const hook = (body: unknown, token = 'kratos-hook-token-for-tests') =>
  gw('/_switchback/hooks/olympus-registration', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: token } });

const auth0User = (email: string) => net.auth0Api.usersByEmail(email)[0]?.profile;
/** Addresses the tenant sent a password-reset email to. */
const resetEmails = () => net.auth0Api.emails.filter((e) => e.kind === 'password_reset').map((e) => e.to);

function identity(id: string, traits: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { id, schema_id: 'default', state: 'active', created_at: new Date(Date.now() - 60_000).toISOString(), traits, verifiable_addresses: [{ value: traits.email, verified: true, via: 'email' }], ...extra };
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await sleep(200);
  }
}

describe('the Olympus registration hook', () => {
  it('records new identities (idempotently) and says how many a rollback would strand', async () => {
    expect((await hook({ identity: identity('11111111-1111-4111-8111-111111111111', { email: 'new1@example.com', first_name: 'Nia' }) })).status).toBe(201);
    expect((await hook({ identity: identity('11111111-1111-4111-8111-111111111111', { email: 'new1@example.com' }) })).status).toBe(200);
    expect((await hook(identity('22222222-2222-4222-8222-222222222222', { email: 'new2@example.com' }))).status).toBe(201);
    // Imported from Auth0: never stranded.
    await hook({ identity: identity('33333333-3333-4333-8333-333333333333', { email: 'old@example.com' }, { metadata_admin: { legacy_auth0_id: 'auth0|old' } }) });
    const st = await status();
    expect(st.signups.captured).toBe(3);
    expect(st.signups.stranded_if_rolled_back_now).toBe(2);
  });

  it('needs its token, and refuses bad bodies with a 4xx', async () => {
    expect((await hook(identity('x', { email: 'a@b.c' }), 'wrong')).status).toBe(401);
    expect((await hook('{not json')).status).toBe(400);
    expect((await hook({ identity: { id: 'no-created-at', traits: {} } })).status).toBe(400);
    expect((await status()).signups.captured).toBe(0);
  });
});

describe('the durable reconcile job', () => {
  it('starts on a rollback, creates the captured users in Auth0 once, sends one reset email each, and reports progress', async () => {
    await hook({ identity: identity('aaaaaaaa-0000-4000-8000-000000000001', { email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee' }) });
    await hook({ identity: identity('aaaaaaaa-0000-4000-8000-000000000002', { email: 'bo@example.com' }) });
    await hook({ identity: identity('aaaaaaaa-0000-4000-8000-000000000003', { email: 'already@example.com' }) });
    await hook({ identity: identity('aaaaaaaa-0000-4000-8000-000000000004', { email: 'legacy@example.com' }, { metadata_admin: { legacy_auth0_id: 'auth0|legacy' } }) });
    net.auth0Api.seedUser({ user_id: 'pre', email: 'already@example.com' });
    net.auth0Api.failNext(1, 503); // a transient Auth0 error: the step retries

    await stub().manualRollback('pager (oncall)', 'oncall', 'test');
    const st = await until(status, (s) => s.reconcile_job?.status === 'completed');
    expect(st.reconcile_job).toMatchObject({ status: 'completed', total: 3, done: 3 });
    expect(net.auth0Api.calls.filter((c) => c.status === 503)).toHaveLength(1);
    expect(st.signups.by_state).toMatchObject({ created: 2, exists: 1, skipped: 1 });
    expect(st.signups.stranded_if_rolled_back_now).toBe(0);

    const ann = auth0User('ann@example.com')!;
    expect(ann).toMatchObject({ name: 'Ann Lee', given_name: 'Ann', family_name: 'Lee', email_verified: true, app_metadata: { olympus_id: 'aaaaaaaa-0000-4000-8000-000000000001' } });
    const bo = auth0User('bo@example.com')!;
    expect(bo.name).toBe('bo@example.com'); // no name sent: Auth0 names the user by its email
    expect(bo.given_name).toBeUndefined();
    expect(net.auth0Api.usersByEmail('already@example.com')).toHaveLength(1);
    expect(net.auth0Api.usersByEmail('legacy@example.com')).toHaveLength(0);
    expect(resetEmails().sort()).toEqual(['ann@example.com', 'bo@example.com']);
    const types = await auditTypes();
    expect(types).toEqual(expect.arrayContaining(['rollback', 'reconcile.queued', 'reconcile.started', 'reconcile.completed']));

    // Running the job again creates nothing and sends nothing.
    await testEnv().RECONCILE_WORKFLOW!.create({ id: 'rerun-1', params: { runId: 'rerun-1', rollbackAt: st.flag.rollback_at } });
    await until(status, (s) => s.reconcile_job?.run_id === 'rerun-1' && s.reconcile_job?.status === 'completed');
    expect(net.auth0Api.users.size).toBe(3);
    expect(resetEmails()).toHaveLength(2);
  });
});

describe('the workflow and `switchback reconcile` agree on whose user it is', () => {
  it('a user that a CLI run created (and emailed) is `exists` to the workflow: no second email', async () => {
    const id = 'cccccccc-0000-4000-8000-000000000001';
    await hook({ identity: identity(id, { email: 'cli-made@example.com' }) });
    // What `switchback reconcile` leaves behind: the same identity, another run id.
    net.auth0Api.seedUser({ user_id: 'cli', email: 'cli-made@example.com', app_metadata: { olympus_id: id, reconciled_by: 'switchback', reconcile_run: 'rc-20261129T2000-abc123' } });
    await stub().manualRollback('pager (oncall)', 'oncall', 'test');
    const st = await until(status, (s) => s.reconcile_job?.status === 'completed');
    expect(st.signups.by_state).toMatchObject({ exists: 1 });
    expect(net.auth0Api.usersByEmail('cli-made@example.com')).toHaveLength(1);
    expect(resetEmails()).toEqual([]);
  });
});
