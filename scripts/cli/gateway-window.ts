/** The default reconcile window, from what the gateway recorded: the migration start and rollback_at. */
export async function gatewayWindow(gateway: string | undefined, token: string | undefined): Promise<{ from?: string; to?: string } | undefined> {
  if (!gateway || !token) return undefined;
  const res = await fetch(`${gateway.replace(/\/+$/, '')}/_switchback/api/status`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the gateway answered HTTP ${res.status} to GET /_switchback/api/status (SWITCHBACK_URL, SWITCHBACK_ADMIN_TOKEN)`);
  const status = (await res.json()) as { migration?: { started_at?: string | null; rollback_at?: string | null } };
  return { from: status.migration?.started_at ?? undefined, to: status.migration?.rollback_at ?? undefined };
}
