/**
 * A scripted client with its own address: a TinyBrowser that sends a fixed
 * client IP (cf-connecting-ip, which `wrangler dev` hands to the worker as
 * sent) on every request, so the gateway's rate limit and the controller's
 * per-client caps see one distinct client per instance. Knows the two
 * journeys the rollback tests need: a sign-in that works and one that the
 * IdP stand-in refuses.
 */
import type { Stack } from '../../../dev/stack.ts';
import { TinyBrowser, type TinyRequestInit } from '../../../dev/tiny-browser.ts';

/** The header CLIENT_IP_HEADER names by default. */
export const CLIENT_IP_HEADER = 'cf-connecting-ip';

/**
 * The n-th address of a block, from 1: `clientIp('203.0.113', 4)` is 203.0.113.4.
 * Keep test blocks apart from the 198.51.100.x probes of gateway-admin.ts.
 */
export function clientIp(block: string, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 254) throw new Error(`client number ${n} out of 1..254`);
  return `${block}.${n}`;
}

/** How a login that was meant to fail ended. */
export interface LoginAttempt {
  /** 401 on the gateway's "Sign-in failed" page, 429 from the /login rate limit, anything else is unexpected. */
  status: number;
  url: string;
  /** The `error` parameter the IdP sent back to /callback, if it got that far. */
  error: string | null;
}

export class ScriptedClient extends TinyBrowser {
  readonly ip: string;
  readonly #header: string;

  constructor(ip: string, header = CLIENT_IP_HEADER) {
    super(`switchback-scripted-client/1 (${ip})`);
    this.ip = ip;
    this.#header = header;
  }

  override request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { [this.#header]: this.ip, ...init.headers } });
  }

  /** Signs in through the gateway's /login at the `idp` stand-in; returns the __Host-sb_session value. */
  async signIn(stack: Stack, idp: 'auth0' | 'olympus', email: string, password: string): Promise<string> {
    const login = await this.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`);
    if (!login.url.startsWith(`${stack[idp].url}/interaction/`)) throw new Error(`${this.ip}: /login led to ${login.url} (${login.status}), expected the ${idp} stand-in`);
    const home = await this.submitForm(login, { email, password });
    if (home.url !== `${stack.gatewayUrl}/` || home.status !== 200) throw new Error(`${this.ip}: sign-in ended at ${home.url} (${home.status})`);
    const session = this.cookiesFor(`${stack.gatewayUrl}/`)['__Host-sb_session'];
    if (!session) throw new Error(`${this.ip}: no sb_session cookie after sign-in`);
    return session;
  }

  /** Starts a login while the IdP refuses every login (failLogins mode): it comes back to /callback with an error. */
  async failingLogin(stack: Stack): Promise<LoginAttempt> {
    const page = await this.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`);
    const url = new URL(page.url);
    const atCallback = `${url.origin}${url.pathname}` === `${stack.gatewayUrl}/callback`;
    return { status: page.status, url: page.url, error: atCallback ? url.searchParams.get('error') : null };
  }

  /**
   * Opens a login transaction at /login without going to the IdP: returns the
   * `state` sent to the IdP and the sealed __Host-sb_login cookie (null on a 429).
   */
  async startLogin(stack: Stack): Promise<{ status: number; state: string; loginCookie: string } | { status: number; state: null; loginCookie: null }> {
    const page = await this.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`, { stopWhen: (u) => !u.startsWith(stack.gatewayUrl) });
    const state = page.url.startsWith(stack.gatewayUrl) ? null : new URL(page.url).searchParams.get('state');
    const loginCookie = this.cookiesFor(`${stack.gatewayUrl}/callback`)['__Host-sb_login'];
    return state && loginCookie ? { status: page.status, state, loginCookie } : { status: page.status, state: null, loginCookie: null };
  }

  /**
   * A login the client itself fails: /login, then straight back to /callback
   * with `error=access_denied` for that state (what a user denying consent
   * sends), while the IdP stays healthy for everyone else.
   */
  async deniedLogin(stack: Stack, idp: 'auth0' | 'olympus'): Promise<LoginAttempt> {
    const started = await this.startLogin(stack);
    if (started.state === null) return { status: started.status, url: `${stack.gatewayUrl}/login`, error: null };
    const q = new URLSearchParams({ error: 'access_denied', state: started.state, iss: stack[idp].issuer });
    const page = await this.navigate(`${stack.gatewayUrl}/callback?${q}`);
    return { status: page.status, url: page.url, error: 'access_denied' };
  }

  /** GET /api/whoami as an API call (JSON, no navigation) with this client's cookies. */
  async whoami(stack: Stack): Promise<{ status: number; body: Record<string, unknown>; sentAt: number; answeredAt: number }> {
    const sentAt = Date.now();
    const res = await this.request(`${stack.gatewayUrl}/api/whoami`, { headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, body, sentAt, answeredAt: Date.now() };
  }
}
