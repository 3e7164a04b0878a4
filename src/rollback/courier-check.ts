/**
 * One courier: during the parallel run one system sends transactional email
 * (`COURIER=olympus|legacy`); after a rollback that one must be the legacy
 * provider's, and it must be alive (the plan: "Both systems shouldn't send
 * overlapping emails ... After rollback, ensure that one is alive"). Once per
 * rollback the controller's alarm checks the legacy provider's email
 * delivery (Auth0: the Management API's `GET /api/v2/emails/provider`,
 * configured and enabled) and Olympus's courier where reachable (Kratos:
 * `GET /admin/courier/messages`), audits the result (`courier.checked`) and
 * warns loudly (`courier.warning`) when the courier was Olympus and must
 * move, or when the check ran and the legacy provider's delivery is not
 * configured or not answering (without Management API credentials the check
 * cannot run: that is recorded, not announced). Checks never throw and never delay a rollback: they run after it.
 */
import type { GatewayConfig } from '../config.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { ControllerStore } from './controller-store.ts';
import type { CourierCheck } from './meta-keys.ts';
import type { Outbox } from './outbox.ts';

export type { CourierCheck };
export type Courier = 'olympus' | 'legacy';

const TIMEOUT_MS = 5000;

type Probe = { ok: boolean; detail: string };

/** Auth0: a client-credentials token, then the tenant's email provider (scope read:email_provider). */
export async function probeAuth0EmailProvider(r: NonNullable<GatewayConfig['reconcile']>, fetchImpl: typeof fetch = fetch): Promise<Probe> {
  const origin = new URL(r.managementUrl).origin;
  try {
    const tokenRes = await fetchImpl(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: r.clientId, client_secret: r.clientSecret, audience: `${r.managementUrl}/` }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const token = ((await tokenRes.json().catch(() => ({}))) as { access_token?: string }).access_token;
    if (!tokenRes.ok || !token) return { ok: false, detail: `Auth0 refused the Management API credentials (HTTP ${tokenRes.status})` };
    const res = await fetchImpl(`${r.managementUrl}/emails/provider?fields=name,enabled,default_from_address&include_fields=true`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = (await res.json().catch(() => ({}))) as { name?: string; enabled?: boolean; default_from_address?: string; message?: string };
    if (res.status === 404) return { ok: false, detail: 'Auth0 has no email provider configured (only its built-in test provider would send)' };
    if (res.status === 403) return { ok: false, detail: 'the Management API client lacks read:email_provider' };
    if (!res.ok) return { ok: false, detail: `GET /api/v2/emails/provider answered HTTP ${res.status}` };
    if (body.enabled !== true) return { ok: false, detail: `Auth0's email provider ${body.name ?? '?'} is disabled` };
    return { ok: true, detail: `Auth0 email provider ${body.name ?? '?'} enabled${body.default_from_address ? `, from ${body.default_from_address}` : ''}` };
  } catch (err) {
    return { ok: false, detail: `Auth0 Management API not reachable: ${String(err).slice(0, 200)}` };
  }
}

/** Kratos: does the courier's admin API answer? (Its queue is Olympus's outgoing email.) */
export async function probeKratosCourier(url: string, headers: Record<string, string>, fetchImpl: typeof fetch = fetch): Promise<Probe> {
  try {
    const res = await fetchImpl(`${url.replace(/\/+$/, '')}/admin/courier/messages?page_size=1`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok ? { ok: true, detail: 'Kratos courier admin API answers' } : { ok: false, detail: `Kratos courier admin API answered HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `Kratos courier admin API not reachable: ${String(err).slice(0, 200)}` };
  }
}

export class CourierWatch {
  constructor(
    private readonly store: ControllerStore,
    private readonly config: () => GatewayConfig,
    private readonly outbox: Outbox,
    private readonly flag: () => FlagRecord,
  ) {}

  last(): CourierCheck | null {
    return this.store.get('courier_check') ?? null;
  }

  /** Checks once per rollback (the alarm calls this after every run); claims the rollback before any await. */
  async afterRollback(now: number, fetchImpl: typeof fetch = fetch): Promise<CourierCheck | undefined> {
    const flag = this.flag();
    if (flag.enabled || !flag.rollback_at || this.store.get('courier_check')?.rollback_at === flag.rollback_at) return undefined;
    const cfg = this.config();
    const courier = cfg.courier;
    this.store.set('courier_check', { rollback_at: flag.rollback_at, at: new Date(now).toISOString(), courier, state: 'checking', legacy: null, olympus: null, must_move: courier === 'olympus' });
    const kind = cfg.providers.auth0.kind;
    const legacy: Probe & { kind: string; checked: boolean } =
      kind !== 'auth0'
        ? { kind, checked: false, ok: false, detail: `no email delivery check for ${kind} yet: check its email settings by hand` }
        : cfg.reconcile
          ? { kind, checked: true, ...(await probeAuth0EmailProvider(cfg.reconcile, fetchImpl)) }
          : { kind, checked: false, ok: false, detail: 'not checked: AUTH0_MANAGEMENT_URL/AUTH0_DOMAIN and AUTH0_MGMT_* are not configured' };
    const kratos = cfg.reconcile?.kratosAdminUrl;
    const olympus = kratos ? await probeKratosCourier(kratos, cfg.reconcile!.kratosAdminHeaders, fetchImpl) : null;
    const check: CourierCheck = { rollback_at: flag.rollback_at, at: new Date().toISOString(), courier, state: 'checked', legacy, olympus, must_move: courier === 'olympus' };
    this.store.set('courier_check', check);
    this.store.appendAudit('courier.checked', 'switchback-controller', { ...check });
    const warnings = [
      ...(check.must_move ? [`COURIER=olympus: Olympus sent transactional email during the parallel run; users are on the legacy provider now: move the courier (COURIER=legacy, the legacy provider's email templates) and stop Olympus's courier so nobody gets two emails`] : []),
      // A check that ran and failed is loud; one that could not run (no credentials) is recorded, not announced.
      ...(legacy.checked && !legacy.ok ? [`the legacy provider's email delivery is not confirmed: ${legacy.detail}`] : []),
    ];
    if (warnings.length) this.outbox.notify('courier.warning', { reason: warnings.join('; '), actor: 'switchback-controller', dryRun: false, details: { courier, legacy_ok: legacy.ok, must_move: check.must_move } }, Date.now());
    return check;
  }
}
