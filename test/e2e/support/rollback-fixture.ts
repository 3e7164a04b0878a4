/**
 * Everything a rollback-command run needs, started once per test file or
 * benchmark: the local stack with a webhook receiver as NOTIFY_WEBHOOK_URL
 * and one admin token per role (ADMIN_TOKENS), plus the Hydra admin stand-in
 * behind a "proxy" header. Offers the setup between runs: turn Olympus on
 * (eng-lead, the plan's flag API) and wait until new logins go there and the
 * resulting flag.changed notification has left the outbox.
 */
import { randomBytes } from 'node:crypto';
import { startStack, type Stack, type StackOptions } from '../../../dev/stack.ts';
import { startHydraAdmin, type HydraAdminHandle } from '../../../dev/hydra-admin/index.ts';
import { loginTarget } from './gateway-admin.ts';
import { pollUntil } from './poll.ts';
import { adminTokenSet, type AdminTokenSet } from './rollback-cli.ts';
import { startRollbackWebhook, type RollbackWebhook } from './rollback-webhook.ts';

export const HYDRA_PROXY_HEADER = 'x-hydra-proxy-key';

import { adminApi, okJson, readStatus, type AdminApiClient, type AuditEntry } from '../../../scripts/cli/admin-api.ts';

export type { AuditEntry };

export interface RollbackFixture {
  stack: Stack;
  hydra: HydraAdminHandle;
  webhook: RollbackWebhook;
  tokens: AdminTokenSet;
  /** Value of the header the Hydra stand-in's "proxy" requires. */
  hydraProxyKey: string;
  /** Arguments for a full run except --reason and the token (which comes from the environment). */
  hydraArgs(): string[];
  /** SWITCHBACK_URL and SWITCHBACK_ADMIN_TOKEN (oncall unless given). */
  cliEnv(token?: string): Record<string, string>;
  /** The admin API, typed from the routes, as eng-lead unless another token is given. */
  api(token?: string): AdminApiClient;
  /** Turns Olympus on (eng-lead), waits until /login goes there and the outbox is empty. */
  enableOlympus(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRollbackFixture(stackOptions: StackOptions = {}): Promise<RollbackFixture> {
  const tokens = adminTokenSet();
  const hydraProxyKey = `proxy_${randomBytes(18).toString('base64url')}`;
  const webhook = await startRollbackWebhook();
  let hydra: HydraAdminHandle | undefined;
  try {
    hydra = await startHydraAdmin({ requireHeaders: { [HYDRA_PROXY_HEADER]: hydraProxyKey } });
    const stack = await startStack({
      ...stackOptions,
      extraVars: { ...stackOptions.extraVars, NOTIFY_WEBHOOK_URL: webhook.url, ADMIN_TOKENS: tokens.adminTokensVar },
    });
    const gw = stack.gatewayUrl;
    const h = hydra;

    const api = (token = tokens.engLead) => adminApi(gw, token);

    return {
      stack,
      hydra: h,
      webhook,
      tokens,
      hydraProxyKey,
      hydraArgs: () => ['--hydra-admin-url', h.url, '--olympus-client-id', stack.olympus.clientId, '--hydra-admin-header', `${HYDRA_PROXY_HEADER}: ${hydraProxyKey}`],
      cliEnv: (token = tokens.oncall) => ({ SWITCHBACK_URL: gw, SWITCHBACK_ADMIN_TOKEN: token }),
      api,
      async enableOlympus() {
        const flag = await okJson('POST /flags/olympus_auth', api().flags.olympus_auth.$post({ json: { enabled: true, reason: 'rollback drill: Olympus on', override_reason: 'e2e: each test re-enables after the previous test\'s rollback (re-enable gate lifted on purpose)' } }));
        if (!flag.enabled) throw new Error('the flag did not turn on');
        const olympus = new URL(stack.olympus.url).origin;
        let last = '';
        await pollUntil('new logins routed to Olympus', async () => ((last = await loginTarget(gw)) === olympus ? true : undefined), { timeoutMs: 3_000, intervalMs: 100 }, () => last);
        await pollUntil(
          'outbox empty after turning Olympus on',
          async () => ((await readStatus(api())).notifications_pending === 0 ? true : undefined),
          { timeoutMs: 10_000, intervalMs: 100 },
        );
      },
      async stop() {
        await stack.stop();
        await h.stop();
        await webhook.stop();
      },
    };
  } catch (err) {
    await hydra?.stop();
    await webhook.stop();
    throw err;
  }
}
