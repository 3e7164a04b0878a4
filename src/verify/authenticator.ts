/**
 * authenticate: the first stage of the proxy pipeline (authenticate ->
 * authorize -> mutate, as in Oathkeeper). Gathers the credentials a request
 * carries (session cookie, `Authorization: Bearer`), verifies each, refuses a
 * request whose credentials name different subjects (token smuggling), and
 * applies the Olympus overlap policy. Returns a tagged result; the route maps
 * it to a response.
 *
 * The overlap decision reads the isolate's KV copy of the flag (no round-trip
 * on the hot path). That copy can be stale, or a fallback when KV failed, so
 * it may accept but never refuse on its own: before an Olympus credential is
 * refused, the controller (authoritative) decides; if it cannot answer, the
 * request gets `flag_unavailable` (503) and the session cookie is kept.
 */
import type { GatewayConfig } from '../config.ts';
import type { FlagRead } from '../flag/kv-flag.ts';
import { log } from '../core/log.ts';
import { verifyAccessToken } from './access-token-verifier.ts';
import { olympusOverlap } from './overlap-policy.ts';
import { principalKey, type Principal } from './principal.ts';
import { readSession } from './session.ts';
import { VerifyError, type RejectReason } from './verify-error.ts';

export type AuthResult =
  | { kind: 'anonymous'; clearSession: boolean }
  | { kind: 'authenticated'; principal: Principal }
  | { kind: 'rejected'; reason: RejectReason; issuer: string | undefined; clearSession: boolean };

/** Where the overlap decision reads the flag: the cached KV copy first, the controller to confirm a refusal. */
export interface FlagReaders {
  current(): Promise<FlagRead>;
  authoritative(): Promise<FlagRead>;
}

export interface Credentials {
  sessionCookie: string | undefined;
  authorization: string | undefined;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/** `undefined` when the header is absent or uses another scheme (the app may want Basic); null when a Bearer is malformed. */
export function bearerToken(authorization: string | undefined): string | null | undefined {
  if (authorization === undefined) return undefined;
  if (!/^bearer\s/i.test(authorization) && authorization.trim().toLowerCase() !== 'bearer') return undefined;
  const m = BEARER.exec(authorization.trim());
  return m ? m[1]! : null;
}

async function applyOverlap(config: GatewayConfig, p: Principal, flags: FlagReaders, nowS: number): Promise<Principal> {
  if (p.provider !== 'olympus') return p;
  const current = await flags.current();
  let decision = olympusOverlap(current.flag, config.tokenOverlapSeconds, p.expiresAt, nowS);
  if (!decision.accept && current.source !== 'controller') {
    const confirmed = await flags.authoritative();
    if (confirmed.source !== 'controller') throw new VerifyError('flag_unavailable', `flag read ${current.source}, controller unreachable`, p.issuer);
    decision = olympusOverlap(confirmed.flag, config.tokenOverlapSeconds, p.expiresAt, nowS);
  }
  if (!decision.accept) throw new VerifyError('overlap_ended', decision.endedAt ? `overlap ended at ${decision.endedAt}` : 'olympus not enabled', p.issuer);
  // Unchanged (the flag is on): the same object, shared with the verified cache and the assertion's.
  return decision.until === p.expiresAt ? p : { ...p, expiresAt: decision.until };
}

/** The boundary of the verification path: whatever was thrown, the caller gets a reason, never an exception (a 500). */
function asVerifyError(err: unknown): VerifyError {
  if (err instanceof VerifyError) return err;
  log('error', { event: 'verification_error', reason: 'verification_failed', error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : 'non-error thrown' });
  return new VerifyError('verification_failed', err instanceof Error ? err.name : undefined);
}

function rejected(thrown: unknown, clearSession: boolean): AuthResult {
  const err = asVerifyError(thrown);
  log('info', { event: 'credential_rejected', reason: err.reason, issuer: err.issuer, detail: err.detail?.slice(0, 200) });
  return { kind: 'rejected', reason: err.reason, issuer: err.issuer, clearSession };
}

export async function authenticate(config: GatewayConfig, creds: Credentials, flags: FlagReaders, now = Date.now()): Promise<AuthResult> {
  try {
    return await authenticateOrThrow(config, creds, flags, now);
  } catch (err) {
    return rejected(err, false);
  }
}

async function authenticateOrThrow(config: GatewayConfig, creds: Credentials, flags: FlagReaders, now: number): Promise<AuthResult> {
  const nowS = Math.floor(now / 1000);
  let fromSession: Principal | undefined;
  let clearSession = false;
  if (creds.sessionCookie) {
    try {
      fromSession = await applyOverlap(config, await readSession(config, creds.sessionCookie, now), flags, nowS);
    } catch (err) {
      // Not a verdict on the cookie (a bug, a runtime failure): the boundary answers 503 and the cookie is kept.
      if (!(err instanceof VerifyError)) throw err;
      if (err.reason === 'overlap_ended') return rejected(err, true);
      // Nobody knows whether the overlap ended: keep the cookie and let the client retry.
      if (err.reason === 'flag_unavailable') return rejected(err, false);
      // A cookie that is garbage or past its life carries no identity: drop it, don't fail the request on it.
      log('info', { event: 'session_ignored', reason: err.reason });
      clearSession = true;
    }
  }
  const token = bearerToken(creds.authorization);
  if (token === null) return rejected(new VerifyError('token_malformed', 'Authorization header is not a valid Bearer'), clearSession);
  let fromBearer: Principal | undefined;
  if (token !== undefined) {
    try {
      fromBearer = await applyOverlap(config, await verifyAccessToken(config, token, now), flags, nowS);
    } catch (err) {
      return rejected(err, clearSession);
    }
  }
  if (fromSession && fromBearer && principalKey(fromSession) !== principalKey(fromBearer)) {
    return rejected(new VerifyError('subject_conflict', `${fromSession.provider} session vs ${fromBearer.provider} bearer`), false);
  }
  const principal = fromBearer ?? fromSession;
  return principal ? { kind: 'authenticated', principal } : { kind: 'anonymous', clearSession };
}
