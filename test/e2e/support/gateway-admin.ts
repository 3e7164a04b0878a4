/**
 * Talks to a running gateway the way an operator does: the admin flag API
 * (with the plan's exact curl request shape) and an observable check of where
 * /login currently sends a browser, so tests can wait for a flag change to
 * reach new logins instead of sleeping.
 */
import type { Stack } from '../../../dev/stack.ts';
import { pollUntil } from './poll.ts';
import { ADMIN_PREFIX, type FlagChange, type FlagState } from '../../../scripts/cli/admin-api.ts';

export type { FlagState };

/**
 * `curl -X POST -H "Authorization: Bearer $TOKEN" $FLAG_API/flags/olympus_auth -d '{"enabled": false}'`:
 * curl -d sends the JSON with a form content type, so this does too. Every flip off is a rollback, so
 * turning Olympus on again meets the re-enable gate: these tests flip back and forth on purpose and
 * lift it with an eng-lead's `override_reason` (the gate itself: test/runtime/reenable-gate.test.ts).
 */
export async function postFlag(stack: Stack, enabled: boolean): Promise<FlagState> {
  // Not through hc: it would send application/json, and this is the curl request byte for byte.
  const change: FlagChange = enabled ? { enabled, override_reason: 'e2e: flipping back and forth on purpose (re-enable gate lifted)' } : { enabled };
  const res = await fetch(`${stack.gatewayUrl}${ADMIN_PREFIX}/flags/olympus_auth`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: JSON.stringify(change),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`flag change to ${enabled} answered ${res.status}: ${text}`);
  return JSON.parse(text) as FlagState;
}

/** A fresh client address (TEST-NET-2) per probe, so probes never spend the browser's /login rate-limit budget. */
const probeClientIp = () => `198.51.100.${1 + Math.floor(Math.random() * 254)}`;

/** Origin of the page a fresh browser's GET `path` (/login, /signup, /recovery) is redirected to. */
export async function loginTarget(gatewayUrl: string, path = '/login'): Promise<string> {
  const res = await fetch(`${gatewayUrl}${path}`, { redirect: 'manual', headers: { 'cf-connecting-ip': probeClientIp() } });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) return `(${res.status}, no redirect)`;
  return new URL(location, gatewayUrl).origin;
}

/** Waits until new logins go to `idpUrl`; returns how long that took. */
export async function waitForLoginRoute(gatewayUrl: string, idpUrl: string, timeoutMs = 2_000): Promise<number> {
  const expected = new URL(idpUrl).origin;
  let last = '';
  const { elapsedMs } = await pollUntil(
    `new logins routed to ${expected}`,
    async () => ((last = await loginTarget(gatewayUrl)) === expected ? true : undefined),
    { timeoutMs, intervalMs: 200 },
    () => `routed to ${last}`,
  );
  return elapsedMs;
}

/** Turns the flag on or off and waits (at most 2 s, the documented bound) until new logins follow it. */
export async function switchProvider(stack: Stack, provider: 'olympus' | 'auth0'): Promise<FlagState> {
  const state = await postFlag(stack, provider === 'olympus');
  await waitForLoginRoute(stack.gatewayUrl, stack[provider].url);
  return state;
}

/** Failure injection on one of the local IdPs (see dev/idp/control.ts). */
export async function setIdpMode(idpUrl: string, mode: { failLogins?: boolean | 'hang' }): Promise<void> {
  const res = await fetch(`${idpUrl}/_control/mode`, { method: 'POST', body: JSON.stringify(mode) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`IdP mode change answered ${res.status}: ${text}`);
}
