// `npm start -- --mirror` (startStack({ mirror })): `switchback mirror` in this
// process against the local stack, as the README's "Mirror" section runs it
// beside Olympus: it sweeps the Kratos admin stand-in every few seconds (the
// stand-in sends no web hooks to it; the sweep is the mirror's safety net, and
// here its only trigger), writes each Olympus signup to the legacy kind's
// stand-in through the same target a reconcile uses (src/reconcile/targets.ts),
// and sends its heartbeat to the gateway, so /status.mirror and the console
// show its lag and `stranded_if_rolled_back_now` counts it.
import type { LegacyKindId } from '../src/providers/kinds/kind.ts';
import { KratosAdminClient } from '../src/reconcile/kratos-admin-client.ts';
import { reconcileTargetFromEnv } from '../src/reconcile/targets.ts';
import { adminApi } from '../scripts/cli/admin-api.ts';
import { heartbeatReporter, startMirrorProcess, type MirrorProcess } from '../scripts/mirror/mirror-process.ts';

export interface StackMirrorInput {
  kind: LegacyKindId;
  /** The legacy kind's admin access (Auth0: the reconcile's AUTH0_MGMT_*; Cognito, Clerk: the stand-in's admin API). */
  targetVars: Record<string, string>;
  kratosAdminUrl: string;
  gatewayUrl: string;
  /** A token with the mirror role (or oncall and above): the heartbeat's. */
  token: string;
  journalPath: string;
  sweepSeconds: number;
  log?: (line: string) => void;
}

export async function startStackMirror(input: StackMirrorInput): Promise<MirrorProcess> {
  const vars: Record<string, string> = { ...input.targetVars, LEGACY_PROVIDER: input.kind };
  const target = reconcileTargetFromEnv((name) => vars[name]);
  await target.preflight({ deletes: true });
  const api = adminApi(input.gatewayUrl, input.token);
  return startMirrorProcess({
    kratos: new KratosAdminClient(input.kratosAdminUrl),
    target,
    journalPath: input.journalPath,
    sweepSeconds: input.sweepSeconds,
    heartbeatSeconds: 2,
    log: input.log ?? (() => {}),
    report: heartbeatReporter((hb) => api.mirror.heartbeat.$post({ json: hb })),
  });
}
