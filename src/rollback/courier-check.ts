/**
 * One courier: during the parallel run one system sends transactional email
 * (`COURIER=olympus|legacy`); after a rollback that one must be the legacy
 * provider's, and it must be alive (the plan: "Both systems shouldn't send
 * overlapping emails ... After rollback, ensure that one is alive"). Once per
 * rollback the controller's alarm checks the legacy provider's email
 * delivery, per kind (LEGACY_CHECKS): Auth0, the Management API's
 * `GET /api/v2/emails/provider`, configured and enabled; Cognito,
 * DescribeUserPool's EmailConfiguration (DEVELOPER with an SES SourceArn is
 * ok; COGNITO_DEFAULT answers but has a small daily quota: a warning); Clerk,
 * `unknown` (its Backend API exposes no email delivery setting or status,
 * see CLERK_NO_EMAIL_CHECK: recorded as unknown, never a pass), and Olympus's courier where reachable (Kratos:
 * `GET /admin/courier/messages`), audits the result (`courier.checked`) and
 * warns loudly (`courier.warning`) when the courier was Olympus and must
 * move, or when the check ran and the legacy provider's delivery is not
 * configured or not answering (without Management API credentials the check
 * cannot run: that is recorded, not announced). Checks never throw and never delay a rollback: they run after it.
 */
import type { Auth0ManagementAccess, GatewayConfig } from '../config.ts';
import { LegacyAdminError } from '../providers/admin/admin-error.ts';
import { CognitoAdminClient, type CognitoAdminOptions } from '../providers/admin/cognito-admin-client.ts';
import type { LegacyKindId } from '../providers/kinds/kind.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { ControllerStore } from './controller-store.ts';
import type { CourierCheck } from './meta-keys.ts';
import type { Outbox } from './outbox.ts';

export type { CourierCheck };
export type Courier = 'olympus' | 'legacy';

const TIMEOUT_MS = 5000;

type Probe = { ok: boolean; detail: string };

/** `ok`: configured and answering; `warning`: answering, but it will not carry a rollback's email; `failed`: not configured or not answering; `unknown`: the provider does not say (or the check could not run). */
export type CourierVerdict = 'ok' | 'warning' | 'failed' | 'unknown';
export type LegacyProbe = { kind: string; checked: boolean; ok: boolean; verdict: CourierVerdict; detail: string };

/**
 * Clerk's Backend API (https://clerk.com/docs/reference/backend-api) has no
 * endpoint for the instance's email delivery: no provider, no status, no
 * quota. The only email setting it shows is a template's `delivered_by_clerk`
 * (GET /v1/templates/email/{slug}, deprecated), which says whether Clerk
 * sends that template, not whether its email is delivered.
 */
export const CLERK_NO_EMAIL_CHECK = "unknown: Clerk's Backend API exposes no email delivery setting or status (only a template's delivered_by_clerk flag, on the deprecated /v1/templates endpoints); check the instance's email settings in the Clerk Dashboard by hand";

/** Cognito's built-in email: 50 messages a day per account (Cognito quotas, "email messages sent daily"; re-check the live quotas page). */
export const COGNITO_DEFAULT_DAILY_EMAILS = 50;

/** Cognito: DescribeUserPool's EmailConfiguration (who sends the pool's email). */
export async function probeCognitoEmail(options: CognitoAdminOptions, fetchImpl: typeof fetch = fetch): Promise<Omit<LegacyProbe, 'kind' | 'checked'>> {
  try {
    const e = await new CognitoAdminClient(options, { fetch: fetchImpl }).describeEmailConfiguration({ timeoutMs: TIMEOUT_MS });
    if (e.sendingAccount === 'DEVELOPER') {
      if (!e.sourceArn) return { ok: false, verdict: 'failed', detail: 'Cognito is set to send through Amazon SES (DEVELOPER) without a SourceArn' };
      return { ok: true, verdict: 'ok', detail: `Cognito sends through Amazon SES (DEVELOPER, ${e.sourceArn}${e.from ? `, from ${e.from}` : ''})` };
    }
    if (e.sendingAccount === 'COGNITO_DEFAULT') {
      return { ok: true, verdict: 'warning', detail: `Cognito sends with its built-in email (COGNITO_DEFAULT): at most ${COGNITO_DEFAULT_DAILY_EMAILS} emails a day for the account, far fewer than a rollback's password resets; set the pool's EmailConfiguration to DEVELOPER with an Amazon SES identity` };
    }
    return { ok: false, verdict: 'failed', detail: `Cognito's EmailSendingAccount is ${e.sendingAccount.slice(0, 40)}, neither COGNITO_DEFAULT nor DEVELOPER` };
  } catch (err) {
    // LegacyAdminError messages carry the operation, a reason and the provider's code, never a credential.
    return { ok: false, verdict: 'failed', detail: err instanceof LegacyAdminError ? `Cognito DescribeUserPool failed: ${err.message}` : `Cognito not reachable: ${String(err).slice(0, 200)}` };
  }
}

/** Each legacy kind's email delivery check (an exhaustive map: a new kind does not compile until it says how, or that it cannot). */
const LEGACY_CHECKS = {
  auth0: async (cfg, fetchImpl) => {
    const access = cfg.reconcile?.auth0;
    if (!access) return { kind: 'auth0', checked: false, ok: false, verdict: 'unknown', detail: 'not checked: AUTH0_MANAGEMENT_URL/AUTH0_DOMAIN and AUTH0_MGMT_* are not configured' };
    const p = await probeAuth0EmailProvider(access, fetchImpl);
    return { kind: 'auth0', checked: true, ...p, verdict: p.ok ? 'ok' : 'failed' };
  },
  cognito: async (cfg, fetchImpl) => {
    const admin = cfg.legacyAdmin;
    if (!admin || admin.kind !== 'cognito' || !('cognito' in admin)) return { kind: 'cognito', checked: false, ok: false, verdict: 'unknown', detail: `not checked: ${admin && 'problem' in admin ? admin.problem : 'the COGNITO_* admin variables are not configured'}` };
    return { kind: 'cognito', checked: true, ...(await probeCognitoEmail(admin.cognito, fetchImpl)) };
  },
  clerk: async () => ({ kind: 'clerk', checked: false, ok: false, verdict: 'unknown', detail: CLERK_NO_EMAIL_CHECK }),
} as const satisfies Record<LegacyKindId, (cfg: GatewayConfig, fetchImpl: typeof fetch) => Promise<LegacyProbe>>;

/** Auth0: a client-credentials token, then the tenant's email provider (scope read:email_provider). */
export async function probeAuth0EmailProvider(r: Auth0ManagementAccess, fetchImpl: typeof fetch = fetch): Promise<Probe> {
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
    const legacy: LegacyProbe = kind === 'ory' ? { kind, checked: false, ok: false, verdict: 'unknown', detail: 'not a legacy kind' } : await LEGACY_CHECKS[kind](cfg, fetchImpl);
    const kratos = cfg.reconcile?.kratosAdminUrl;
    const olympus = kratos ? await probeKratosCourier(kratos, cfg.reconcile!.kratosAdminHeaders, fetchImpl) : null;
    const check: CourierCheck = { rollback_at: flag.rollback_at, at: new Date().toISOString(), courier, state: 'checked', legacy, olympus, must_move: courier === 'olympus' };
    this.store.set('courier_check', check);
    this.store.appendAudit('courier.checked', 'switchback-controller', { ...check });
    const warnings = [
      ...(check.must_move ? [`COURIER=olympus: Olympus sent transactional email during the parallel run; users are on the legacy provider now: move the courier (COURIER=legacy, the legacy provider's email templates) and stop Olympus's courier so nobody gets two emails`] : []),
      // A check that ran and failed is loud; one that could not run (no credentials) is recorded, not announced.
      ...(legacy.checked && !legacy.ok ? [`the legacy provider's email delivery is not confirmed: ${legacy.detail}`] : []),
      ...(legacy.verdict === 'warning' ? [`the legacy provider's email delivery answers but will not carry the rollback's email: ${legacy.detail}`] : []),
    ];
    if (warnings.length) this.outbox.notify('courier.warning', { reason: warnings.join('; '), actor: 'switchback-controller', dryRun: false, details: { courier, legacy_ok: legacy.ok, legacy_verdict: legacy.verdict, must_move: check.must_move } }, Date.now());
    return check;
  }
}
