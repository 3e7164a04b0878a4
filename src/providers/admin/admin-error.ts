/**
 * One error for every legacy provider's admin API (Cognito's user-pool API,
 * Clerk's Backend API): the provider's own code (`__type`, `errors[].code`)
 * is mapped to a stable `reason` that the password hook, the reconcile
 * targets and the tests switch on. The provider's message is never kept: it
 * can name the user, and nothing a caller decides on is in it. The error's
 * own message names the operation, the HTTP status and the provider's code,
 * nothing from the request (no username, no password).
 */
import { SwitchbackError } from '../../core/errors.ts';

export type AdminErrorReason =
  /** Wrong password (Cognito NotAuthorizedException at sign-in, Clerk form_password_incorrect). */
  | 'invalid_credentials'
  | 'user_not_found'
  /** Creating a user that exists (UsernameExistsException, form_identifier_exists): a reconcile skips it. */
  | 'user_exists'
  /** The account is not usable as it is: Cognito RESET_REQUIRED or unconfirmed, a disabled or locked user. */
  | 'password_reset_required'
  | 'user_not_confirmed'
  | 'user_disabled'
  /** The provider's password policy refused a password (InvalidPasswordException, form_password_pwned...). */
  | 'invalid_password'
  /** Rate limits: TooManyRequestsException, Clerk 429 (retry after retryAfterMs), LimitExceededException. */
  | 'throttled'
  | 'limit_exceeded'
  /** The provider could not send a code or email (CodeDeliveryFailureException, no recovery channel). */
  | 'delivery_failed'
  /** Our own credentials or signature refused (InvalidSignatureException, UnrecognizedClientException, 401/403). */
  | 'auth_refused'
  /** The request was malformed or a setting forbids it (InvalidParameterException, form_param_*). */
  | 'invalid_request'
  | 'timeout'
  | 'network_error'
  /** 5xx, an unknown code, or a body that is not what the contract says. */
  | 'upstream_status'
  | 'bad_response';

/** Reasons worth trying again later: the same request may succeed. */
export const RETRYABLE_REASONS: ReadonlySet<AdminErrorReason> = new Set(['throttled', 'limit_exceeded', 'timeout', 'network_error', 'upstream_status']);

export type AdminProvider = 'cognito' | 'clerk';

export class LegacyAdminError extends SwitchbackError {
  readonly code = 'ERR_LEGACY_ADMIN';
  readonly retryable: boolean;
  constructor(
    readonly provider: AdminProvider,
    readonly operation: string,
    readonly reason: AdminErrorReason,
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    /** The provider's own code (`UsernameExistsException`, `form_identifier_exists`), safe to log. */
    readonly providerCode: string | undefined,
    /** How long the provider asked us to wait (Clerk's Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(`${provider} ${operation} failed: ${reason} (HTTP ${status}${providerCode ? ` ${providerCode}` : ''})`);
    this.retryable = RETRYABLE_REASONS.has(reason);
  }
}

export function isLegacyAdminError(err: unknown, reason?: AdminErrorReason): err is LegacyAdminError {
  return err instanceof LegacyAdminError && (reason === undefined || err.reason === reason);
}

/** A provider's code is logged: keep it to the shape codes have, never free text. */
export function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:#-]{1,100}$/.test(value) ? value : undefined;
}

/**
 * fetch with a time budget that covers the whole answer: the caller gets a
 * Response or a LegacyAdminError (timeout, network_error), never the
 * runtime's error (whose text may hold the URL).
 */
export async function boundedFetch(provider: AdminProvider, operation: string, doFetch: (signal: AbortSignal) => Promise<Response>, timeoutMs: number): Promise<Response> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new LegacyAdminError(provider, operation, 'timeout', 0, undefined));
    }, Math.max(1, timeoutMs));
  });
  try {
    return await Promise.race([
      doFetch(abort.signal).catch((err: unknown) => {
        const name = (err as { name?: unknown } | null)?.name;
        throw new LegacyAdminError(provider, operation, name === 'AbortError' ? 'timeout' : 'network_error', 0, undefined);
      }),
      expired,
    ]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/** Reads at most `max` bytes of a body as text; undefined when longer (an answer that big is not the contract's). */
export async function boundedText(res: Response, max = 1_000_000): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  const text = await res.text().catch(() => undefined);
  return text !== undefined && text.length <= max ? text : undefined;
}
