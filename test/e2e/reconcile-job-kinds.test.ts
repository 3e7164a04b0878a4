/**
 * The gateway's own reconcile job (the Cloudflare Workflow, under wrangler
 * dev) for the other legacy kinds: with LEGACY_PROVIDER=cognito or clerk and
 * RECONCILE_JOB=on (`npm start -- --legacy <kind> --reconcile-job`), a
 * rollback brings the Olympus signups the registration hook captured back to
 * that kind's stand-in, marked as switchback's, with the outcome the kind
 * allows: Cognito sends its reset code (no hash ever reaches the edge, and
 * Cognito takes none), Clerk has no reset email (`needs_reset`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import type { CaughtMessage } from '../../dev/mail-catcher/index.ts';
import { postFlag, waitForLoginRoute } from './support/gateway-admin.ts';
import { pollUntil } from './support/poll.ts';

interface JobStatus {
  reconcile_job: { status: string; total?: number; done?: number; totals?: Record<string, number> } | null;
}

for (const kind of ['cognito', 'clerk'] as const) {
  describe(`${kind}: the gateway's reconcile job`, () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ legacy: kind, reconcileJob: true });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it(`a rollback creates the captured Olympus signup at ${kind}, marked, with the kind's outcome`, async () => {
      const gw = stack.gatewayUrl;
      const status = async (): Promise<JobStatus> => (await (await fetch(`${gw}/_switchback/api/status`, { headers: { authorization: `Bearer ${stack.adminToken}` } })).json()) as JobStatus;
      await postFlag(stack, true);
      const email = `job.${kind}.${Date.now()}@example.com`;
      const id = crypto.randomUUID();
      // What Kratos's after-registration web hook sends (no credentials: the edge never sees a hash).
      const identity = { id, schema_id: 'default', state: 'active', created_at: new Date().toISOString(), traits: { email, first_name: 'Jo', last_name: 'Bell' }, verifiable_addresses: [{ value: email, verified: true, via: 'email' }] };
      const hook = await fetch(`${gw}/_switchback/hooks/olympus-registration`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: stack.vars.KRATOS_HOOK_TOKEN! }, body: JSON.stringify({ identity }) });
      expect(hook.status).toBe(201);

      await postFlag(stack, false);
      await waitForLoginRoute(gw, stack.auth0.url);
      const { value: job } = await pollUntil('the reconcile job to complete', async () => {
        const j = (await status()).reconcile_job;
        return j?.status === 'completed' ? j : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250 }, () => stack.gatewayOutput().slice(-3000));

      if (kind === 'cognito') {
        expect(job).toMatchObject({ total: 1, done: 1, totals: { created_reset_sent: 1 } });
        const user = stack.legacyAdmin!.cognito!.pool.find(email)!;
        // Created CONFIRMED with a password nobody knows (never FORCE_CHANGE_PASSWORD, which blocks forgot-password), then
        // AdminResetUserPassword: RESET_REQUIRED, the code sent; marked, its reset claimed by the job.
        expect(user).toMatchObject({ status: 'RESET_REQUIRED' });
        expect(user.attributes).toMatchObject({ 'custom:olympus_id': id, 'custom:sb_by': 'reconcile', 'custom:sb_password': 'reset', given_name: 'Jo', family_name: 'Bell' });
        expect(user.attributes['custom:sb_reset']).toMatch(/^reconcile-v/);
        const { value: code } = await pollUntil('the reset code in the mail catcher', async () => {
          const all = (await (await fetch(`${stack.mail.url}/api/messages`)).json()) as CaughtMessage[];
          return all.find((m) => m.to === email);
        }, { timeoutMs: 10_000, intervalMs: 250 });
        expect(code.source).toBe('cognito');
      } else {
        expect(job).toMatchObject({ total: 1, done: 1, totals: { created_needs_reset: 1 } });
        const user = stack.legacyAdmin!.clerk!.instance.byEmail(email)!;
        expect(user).toMatchObject({ externalId: id, firstName: 'Jo', lastName: 'Bell' });
        expect(user.privateMetadata).toMatchObject({ olympus_id: id, reconciled_by: 'switchback', written_by: 'reconcile', password: 'reset' });
      }
    });
  });
}
