/**
 * What the reconcile command reads from the gateway (GET /_switchback/api/status):
 * its default window (the migration start and rollback_at) and whether the
 * gateway's own reconcile job is at work on the same rollback.
 */
import { adminApi, type GatewayStatus } from './admin-api.ts';

export async function gatewayStatus(gateway: string, token: string): Promise<GatewayStatus> {
  const res = await adminApi(gateway.replace(/\/+$/, ''), token).status.$get(undefined, { init: { signal: AbortSignal.timeout(10_000) } });
  if (!res.ok) throw new Error(`the gateway answered HTTP ${res.status} to GET /_switchback/api/status (SWITCHBACK_URL, SWITCHBACK_ADMIN_TOKEN)`);
  return res.json();
}

export function windowOf(status: GatewayStatus | undefined): { from?: string; to?: string } | undefined {
  return status ? { from: status.migration?.started_at ?? undefined, to: status.migration?.rollback_at ?? undefined } : undefined;
}

/**
 * The gateway's own reconcile job (the Workflow a rollback starts) while it is
 * queued or running: a command run beside it could claim and send the same
 * user's reset email (both read the user's mark before either writes it).
 */
export function jobInProgress(status: GatewayStatus | undefined): { run_id: string; status: string; done?: number; total?: number } | undefined {
  const job = status?.reconcile_job;
  return job && (job.status === 'queued' || job.status === 'running') ? job : undefined;
}
