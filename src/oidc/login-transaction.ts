/**
 * One login in flight: what the callback needs to finish it safely. Sealed in
 * the short-lived login cookie (`login` in http/cookie-names.ts) (10 minutes), bound to the `state` value
 * sent to the provider. The provider is recorded here, so one /callback serves
 * both providers without trusting anything the response says about which.
 */
import type { GatewayConfig } from '../config.ts';
import { isProviderId, type ProviderId } from '../core/provider-id.ts';
import type { LoginIntent } from '../flag/routing-policy.ts';
import { seal, unseal } from '../verify/sealed-cookie.ts';
import { SwitchbackError } from '../core/errors.ts';

export const LOGIN_TTL_SECONDS = 600;

export interface LoginTransaction {
  provider: ProviderId;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  intent: LoginIntent;
  redirectUri: string;
  startedAt: number;
  /** Client configuration version used at /login; the callback redeems the code with the same client. */
  clientConfigVersion: number;
}

export function sealTransaction(config: GatewayConfig, t: LoginTransaction): Promise<string> {
  return seal(
    config.sessionSecret,
    'login',
    { v: 1, prv: t.provider, st: t.state, nn: t.nonce, cv: t.codeVerifier, rt: t.returnTo, in: t.intent, ru: t.redirectUri, sa: t.startedAt, ccv: t.clientConfigVersion },
    Math.floor(Date.now() / 1000) + LOGIN_TTL_SECONDS,
  );
}

export class TransactionError extends SwitchbackError {
  readonly code = 'ERR_LOGIN_TRANSACTION';
}

export async function openTransaction(config: GatewayConfig, cookie: string | undefined): Promise<LoginTransaction> {
  if (!cookie) throw new TransactionError('login_cookie_missing');
  let c;
  try {
    c = await unseal(config.sessionSecret, 'login', cookie);
  } catch {
    throw new TransactionError('login_cookie_invalid');
  }
  if (c.v !== 1 || !isProviderId(c.prv) || typeof c.st !== 'string' || typeof c.nn !== 'string' || typeof c.cv !== 'string' || typeof c.rt !== 'string' || typeof c.ru !== 'string') {
    throw new TransactionError('login_cookie_invalid');
  }
  return {
    provider: c.prv,
    state: c.st,
    nonce: c.nn,
    codeVerifier: c.cv,
    returnTo: c.rt,
    intent: c.in === 'signup' || c.in === 'recovery' ? c.in : 'login',
    redirectUri: c.ru,
    startedAt: typeof c.sa === 'number' ? c.sa : 0,
    clientConfigVersion: typeof c.ccv === 'number' ? c.ccv : 0,
  };
}
