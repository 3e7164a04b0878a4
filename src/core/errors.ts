/**
 * One error base, as jose's `src/util/errors.ts`: every error the gateway,
 * the reconcile job and the CLI throw on purpose carries a stable string
 * `code` (tests, logs and the problem map match on it, never on the message),
 * its `name` from the class and the error it wraps as `cause`. The codes are
 * one union, so `switch (err.code)` narrows and an exhaustive map
 * (`satisfies Record<GatewayErrorCode, ...>`) fails to compile until a new
 * code is placed.
 */

/** Codes of errors that can happen while the Worker (or its Durable Object, its workflow) serves. */
export type GatewayErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_CLIENT_CONFIG'
  | 'ERR_LOGIN_TRANSACTION'
  | 'ERR_CODE_EXCHANGE'
  | 'ERR_DISCOVERY'
  | 'ERR_VERIFY'
  | 'ERR_RULES'
  | 'ERR_NOTIFY_DELIVERY'
  | 'ERR_SIGNUP_PAYLOAD'
  | 'ERR_RECONCILE_WINDOW'
  | 'ERR_KRATOS_ADMIN'
  | 'ERR_AUTH0_API'
  | 'ERR_LEGACY_ADMIN'
  | 'ERR_USER_MAIL'
  | 'ERR_RECONCILE_TARGET';

/** Codes of errors only the command-line tools throw (scripts/). */
export type CliErrorCode = 'ERR_USAGE' | 'ERR_NETWORK' | 'ERR_GATEWAY_REFUSED' | 'ERR_HYDRA_REVOCATION';

export type ErrorCode = GatewayErrorCode | CliErrorCode;

export abstract class SwitchbackError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isSwitchbackError(err: unknown): err is SwitchbackError {
  return err instanceof SwitchbackError;
}
