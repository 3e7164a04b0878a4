/**
 * The hook is a password oracle against the legacy provider, so every call
 * spends from two budgets before the provider is asked: one per identifier
 * (the account under attack, whatever addresses the attacker holds) and one
 * per client (the end user's network, as Kratos forwarded it: one source
 * trying many accounts). Workers rate limiter bindings, keyed by hashes,
 * never by the identifier or the address themselves.
 *
 * The per-identifier budget sits below Auth0's brute-force threshold (10
 * failures per user and address), so an attack through Olympus is refused
 * here before Auth0 blocks the account. Without a forwarded address there is
 * no client budget (all calls would share one key and one attacker would lock
 * every migration out); the identifier budget still holds.
 *
 * Fail closed: a missing binding or a limiter error refuses the call. This
 * is not telemetry; an unlimited oracle is the worse outage.
 */
import type { Env } from '../env.ts';
import { sha256, toHex } from '../core/bytes.ts';
import type { PasswordCheckReason } from './password-check.ts';

export type LimitVerdict = 'ok' | Extract<PasswordCheckReason, 'identifier_limit' | 'client_limit' | 'limiter_unavailable'>;

/** Emails are case-insensitive at every legacy provider we check against. */
export async function identifierKey(identifier: string): Promise<string> {
  return toHex((await sha256(`switchback-identifier:${identifier.trim().toLowerCase()}`)).slice(0, 12));
}

async function allowed(limiter: RateLimit | undefined, key: string): Promise<boolean | undefined> {
  if (!limiter) return undefined;
  try {
    return (await limiter.limit({ key })).success;
  } catch {
    return undefined;
  }
}

/** `client` is the client key when Kratos forwarded an address, else undefined. */
export async function checkAbuseLimits(env: Env, identifier: string, client: string | undefined): Promise<LimitVerdict> {
  const byIdentifier = await allowed(env.PASSWORD_HOOK_IDENTIFIER_LIMITER, identifier);
  if (byIdentifier === undefined) return 'limiter_unavailable';
  if (!byIdentifier) return 'identifier_limit';
  if (client === undefined) return 'ok';
  const byClient = await allowed(env.PASSWORD_HOOK_CLIENT_LIMITER, client);
  if (byClient === undefined) return 'limiter_unavailable';
  return byClient ? 'ok' : 'client_limit';
}
