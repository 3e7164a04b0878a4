/**
 * The gateway's admin API (<gateway>/_switchback/api) as the rollback command
 * uses it: the rollback itself, the status, and where /login sends a new
 * browser. Every refusal becomes a sentence an on-call engineer can act on
 * (which variable to check, which role is needed); the token is only ever
 * sent, never part of a message.
 */
import { errorSummary, httpCall, NetworkError, type HttpAnswer } from './http-call.ts';
import { SwitchbackError } from '../../src/core/errors.ts';

export const ADMIN_PREFIX = '/_switchback/api';

export interface FlagState {
  enabled: boolean;
  version: number;
  percent?: number;
  updated_at?: string;
  updated_by?: string;
  reason?: string;
  rollback_at?: string | null;
}

export interface RollbackAnswer {
  rolled_back: boolean;
  already_on_auth0: boolean;
  flag: FlagState;
}

export interface GatewayStatus {
  flag: FlagState;
  issuers: { auth0: string; olympus: string };
  active_provider: string;
  overlap: { rollback_at: string; ends_at: string; seconds_left: number } | null;
  notifications_pending: number;
}

/** Where a fresh browser's GET /login went: the redirect target's origin, or why there was none. */
export type LoginProbe = { status: number; origin: string } | { status: number; origin: undefined; note: string };

/** The admin API answered, but not with what the command needs. The message is complete. */
export class GatewayRefused extends SwitchbackError {
  readonly code = 'ERR_GATEWAY_REFUSED';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class GatewayAdminClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  rollback(reason: string): Promise<RollbackAnswer> {
    return this.call<RollbackAnswer>('POST', '/rollback', JSON.stringify({ reason }), (b) => typeof b.rolled_back === 'boolean' && isFlag(b.flag));
  }

  status(): Promise<GatewayStatus> {
    return this.call<GatewayStatus>(
      'GET',
      '/status',
      undefined,
      (b) => isFlag(b.flag) && typeof b.issuers === 'object' && b.issuers !== null && typeof (b.issuers as Record<string, unknown>).auth0 === 'string' && typeof b.notifications_pending === 'number',
    );
  }

  /** GET /login without following the redirect, as a browser without cookies would start it. */
  async loginTarget(): Promise<LoginProbe> {
    const answer = await httpCall(`${this.gatewayUrl}/login`, `the gateway at ${this.gatewayUrl}`, { timeoutMs: this.timeoutMs, headers: { accept: 'text/html' } });
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location) {
      try {
        return { status: answer.status, origin: new URL(location, this.gatewayUrl).origin };
      } catch {
        return { status: answer.status, origin: undefined, note: 'a redirect with an unparsable Location' };
      }
    }
    const note = answer.status === 429 ? 'rate limited (429)' : `HTTP ${answer.status} without a redirect`;
    return { status: answer.status, origin: undefined, note };
  }

  private async call<T>(method: string, path: string, body: string | undefined, valid: (b: Record<string, unknown>) => boolean): Promise<T> {
    const url = `${this.gatewayUrl}${ADMIN_PREFIX}${path}`;
    let answer: HttpAnswer;
    try {
      answer = await httpCall(url, `the gateway at ${this.gatewayUrl}`, {
        method,
        body,
        timeoutMs: this.timeoutMs,
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      });
    } catch (err) {
      if (err instanceof NetworkError) throw new NetworkError(`${err.message}; check --gateway / SWITCHBACK_URL`, err.timedOut);
      throw err;
    }
    if (answer.status === 401) {
      throw new GatewayRefused('the gateway refused the admin token (HTTP 401 unauthorized): it is unknown, revoked or mistyped; check SWITCHBACK_ADMIN_TOKEN / --token', 401);
    }
    if (answer.status === 403) {
      throw new GatewayRefused(`the admin token may not do this (HTTP 403 forbidden: ${errorSummary(answer)}); a rollback needs the oncall or eng-lead role`, 403);
    }
    if (answer.status === 404) {
      throw new GatewayRefused(`no switchback admin API at ${url} (HTTP 404); is ${this.gatewayUrl} the gateway's public URL?`, 404);
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new GatewayRefused(`${method} ${ADMIN_PREFIX}${path} answered HTTP ${answer.status}: ${errorSummary(answer)}`, answer.status);
    }
    const json = answer.json;
    if (typeof json !== 'object' || json === null || !valid(json as Record<string, unknown>)) {
      throw new GatewayRefused(`${method} ${ADMIN_PREFIX}${path} answered HTTP ${answer.status} without the expected JSON; is ${this.gatewayUrl} a switchback gateway?`, answer.status);
    }
    return json as T;
  }
}

function isFlag(v: unknown): v is FlagState {
  return typeof v === 'object' && v !== null && typeof (v as FlagState).enabled === 'boolean' && typeof (v as FlagState).version === 'number';
}
