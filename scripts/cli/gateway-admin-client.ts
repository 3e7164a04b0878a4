/**
 * The gateway's admin API (<gateway>/_switchback/api) as the rollback command
 * uses it: the rollback itself, the status, and where /login sends a new
 * browser. Every refusal becomes a sentence an on-call engineer can act on
 * (which variable to check, which role is needed); the token is only ever
 * sent, never part of a message.
 */
import { SwitchbackError } from '../../src/core/errors.ts';
import { adminApi, ADMIN_PREFIX, type AdminApiClient, type FlagState, type GatewayStatus, type RollbackAnswer } from './admin-api.ts';
import { errorSummary, httpCall, NetworkError, readAnswer, type HttpAnswer } from './http-call.ts';

export { ADMIN_PREFIX };
export type { FlagState, GatewayStatus, RollbackAnswer };

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
  readonly #api: AdminApiClient;

  constructor(
    private readonly gatewayUrl: string,
    token: string,
    private readonly timeoutMs: number,
  ) {
    this.#api = adminApi(gatewayUrl, token, (input, init) => this.#fetch(input, init));
  }

  rollback(reason: string): Promise<RollbackAnswer> {
    return this.call('POST', '/rollback', () => this.#api.rollback.$post({ json: { reason } }), (b) => typeof b.rolled_back === 'boolean' && isFlag(b.flag));
  }

  status(): Promise<GatewayStatus> {
    return this.call(
      'GET',
      '/status',
      () => this.#api.status.$get(),
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

  /** hc's fetch: one bounded request through httpCall (timeout, plain-words network errors). */
  async #fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    const answer = await httpCall(String(input), `the gateway at ${this.gatewayUrl}`, {
      method: init?.method,
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      timeoutMs: this.timeoutMs,
    });
    return new Response([101, 204, 205, 304].includes(answer.status) ? null : answer.text, { status: answer.status, headers: answer.headers });
  }

  /**
   * One admin call through the typed client. `valid` checks at run time what
   * the type promises, so a server that is not a switchback gateway gets a
   * clear message instead of an undefined field later.
   */
  private async call<T>(method: string, path: string, send: () => Promise<Pick<Response, 'status' | 'headers' | 'text'>>, valid: (b: Record<string, unknown>) => boolean): Promise<T> {
    const url = `${this.gatewayUrl}${ADMIN_PREFIX}${path}`;
    let answer: HttpAnswer;
    try {
      answer = await readAnswer(await send());
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
