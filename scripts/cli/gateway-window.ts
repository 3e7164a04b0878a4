/** The default reconcile window, from what the gateway recorded: the migration start and rollback_at. */
import { adminApi, type GatewayStatus } from './admin-api.ts';

export async function gatewayWindow(gateway: string | undefined, token: string | undefined): Promise<{ from?: string; to?: string } | undefined> {
  if (!gateway || !token) return undefined;
  const res = await adminApi(gateway.replace(/\/+$/, ''), token).status.$get(undefined, { init: { signal: AbortSignal.timeout(10_000) } });
  if (!res.ok) throw new Error(`the gateway answered HTTP ${res.status} to GET /_switchback/api/status (SWITCHBACK_URL, SWITCHBACK_ADMIN_TOKEN)`);
  const status: GatewayStatus = await res.json();
  return { from: status.migration?.started_at ?? undefined, to: status.migration?.rollback_at ?? undefined };
}
