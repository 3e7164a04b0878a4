/**
 * The reconcile target of the legacy kind (LEGACY_PROVIDER, default auth0),
 * built from that kind's variables: the one place `switchback reconcile`,
 * `switchback mirror` and the rollback's Workflow get their target from, so
 * none of them names a product. A missing or wrong variable is a
 * TargetConfigError naming it (the CLI adds its flag); no secret is echoed.
 *
 * - auth0: AUTH0_MANAGEMENT_URL or AUTH0_DOMAIN, AUTH0_MGMT_CLIENT_ID,
 *   AUTH0_MGMT_CLIENT_SECRET, AUTH0_CONNECTION, AUTH0_CLIENT_ID (reset emails).
 * - cognito: COGNITO_USER_POOL_ID (or from COGNITO_ISSUER), COGNITO_REGION,
 *   COGNITO_ADMIN_ENDPOINT, COGNITO_ACCESS_KEY_ID, COGNITO_SECRET_ACCESS_KEY,
 *   COGNITO_SESSION_TOKEN: the same access the password migration hook uses
 *   (src/providers/admin/admin-config.ts).
 * - clerk: CLERK_SECRET_KEY, CLERK_API_URL (the Backend API; the same access
 *   the password migration hook uses).
 */
import { SwitchbackError } from '../core/errors.ts';
import { clerkBackendOptions, cognitoAdminOptions, isProblem, type VarReader } from '../providers/admin/admin-config.ts';
import { LegacyAdminError } from '../providers/admin/admin-error.ts';
import { ClerkBackendClient } from '../providers/admin/clerk-backend-client.ts';
import { CognitoAdminClient } from '../providers/admin/cognito-admin-client.ts';
import { LEGACY_KIND_IDS, type LegacyKindId } from '../providers/kinds/kind.ts';
import { Auth0ApiError, Auth0ManagementClient } from './auth0-management-client.ts';
import { Auth0Target } from './auth0-target.ts';
import { ClerkTarget, type ClerkTargetOptions } from './clerk-target.ts';
import { CognitoTarget, type CognitoTargetOptions } from './cognito-target.ts';
import type { ReconcileTarget } from './reconcile-target.ts';

export type { VarReader };

/** How each kind names its provider in progress lines and reports. */
export const TARGET_LABELS = { auth0: 'Auth0', cognito: 'Cognito', clerk: 'Clerk' } as const satisfies Record<LegacyKindId, string>;

export class TargetConfigError extends SwitchbackError {
  readonly code = 'ERR_RECONCILE_TARGET';
  constructor(
    readonly variable: string,
    readonly problem: string,
    label: string = variable,
  ) {
    super(`${label} ${problem}`);
  }
}

export interface TargetFactoryOptions {
  /** What a message calls a variable (the CLI: `--auth0-connection (or AUTH0_CONNECTION)`). */
  label?: (variable: string) => string;
  /** `undo`: only what finding and removing users needs (no connection, no reset client). */
  purpose?: 'reconcile' | 'undo';
  onRateLimited?: (waitMs: number) => void;
  /** Auth0 Management API retries per call (the Workflow retries its steps itself: 3). */
  auth0MaxRetries?: number;
  /** The application that requests Auth0 reset emails (default AUTH0_CLIENT_ID, else the management client). */
  auth0ResetClientId?: string;
  /** Cognito's pacing and retries (tests and benchmarks lower or raise the quotas). */
  cognito?: CognitoTargetOptions;
  /** Clerk's 429 handling (tests lower the waits). */
  clerk?: ClerkTargetOptions;
  fetch?: typeof fetch;
}

/** LEGACY_PROVIDER, checked (default auth0). */
export function legacyKindFrom(get: VarReader): LegacyKindId {
  const raw = get('LEGACY_PROVIDER') ?? 'auth0';
  if (!(LEGACY_KIND_IDS as readonly string[]).includes(raw)) throw new TargetConfigError('LEGACY_PROVIDER', `must be one of ${LEGACY_KIND_IDS.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as LegacyKindId;
}

export function reconcileTargetFor(kind: LegacyKindId, get: VarReader, o: TargetFactoryOptions = {}): ReconcileTarget {
  const label = o.label ?? ((v: string) => v);
  const need = (name: string): string => {
    const v = get(name);
    if (v === undefined || v === '') throw new TargetConfigError(name, 'is required', label(name));
    return v;
  };
  switch (kind) {
    case 'auth0': {
      const domain = get('AUTH0_DOMAIN');
      const managementUrl = get('AUTH0_MANAGEMENT_URL') ?? (domain ? `https://${domain}/api/v2` : undefined);
      if (!managementUrl) throw new TargetConfigError('AUTH0_MANAGEMENT_URL', 'is required', label('AUTH0_MANAGEMENT_URL'));
      const clientId = need('AUTH0_MGMT_CLIENT_ID');
      const client = new Auth0ManagementClient({ managementUrl, clientId, clientSecret: need('AUTH0_MGMT_CLIENT_SECRET'), onRateLimited: o.onRateLimited, maxRetries: o.auth0MaxRetries, fetch: o.fetch });
      if (o.purpose === 'undo') return new Auth0Target(client, { connection: get('AUTH0_CONNECTION') ?? '', resetClientId: '' });
      return new Auth0Target(client, { connection: need('AUTH0_CONNECTION'), resetClientId: o.auth0ResetClientId ?? get('AUTH0_CLIENT_ID') ?? clientId });
    }
    case 'cognito': {
      const options = cognitoAdminOptions(get, get('COGNITO_ISSUER') ?? '');
      if (isProblem(options)) throw new TargetConfigError(options.variable, options.problem, label(options.variable));
      return new CognitoTarget(new CognitoAdminClient(options, o.fetch ? { fetch: o.fetch } : {}), { onThrottled: o.onRateLimited, ...o.cognito });
    }
    case 'clerk': {
      const options = clerkBackendOptions(get);
      if (isProblem(options)) throw new TargetConfigError(options.variable, options.problem, label(options.variable));
      return new ClerkTarget(new ClerkBackendClient(options, o.fetch ? { fetch: o.fetch } : {}), { ...o.clerk });
    }
  }
}

/** The target of LEGACY_PROVIDER's kind. */
export function reconcileTargetFromEnv(get: VarReader, o: TargetFactoryOptions = {}): ReconcileTarget {
  return reconcileTargetFor(legacyKindFrom(get), get, o);
}

/**
 * What a caller needs to know of a target's error, whatever the provider:
 * whether the same call may succeed later, and whether the provider answered
 * at all (no answer: a reset email may have gone out). Undefined: not a
 * provider error.
 */
export function targetErrorFacts(err: unknown): { retryable: boolean; answered: boolean } | undefined {
  if (err instanceof Auth0ApiError || err instanceof LegacyAdminError) return { retryable: err.retryable, answered: err.status !== 0 };
  return undefined;
}
