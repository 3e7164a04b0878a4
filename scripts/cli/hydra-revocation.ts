/**
 * Revokes the Olympus tokens of the gateway's OAuth2 client through Ory
 * Hydra v2's admin API: `DELETE /admin/oauth2/tokens?client_id=<id>` (204).
 *
 * Hydra answers 204 for any client id, known or not, so a mistyped
 * OLYMPUS_CLIENT_ID would "succeed" while revoking nothing: the client is
 * looked up first (`GET /admin/clients/<id>`, 404 when unknown). Hydra's
 * admin port is unauthenticated and normally firewalled; the extra headers
 * get the calls through a protecting proxy (Cloudflare Access service token,
 * an authenticating reverse proxy).
 *
 * Note: that endpoint deletes the client's access tokens; Hydra leaves its
 * refresh tokens in place (see the rollback report).
 */
import type { HydraTarget } from './rollback-options.ts';
import { errorSummary, httpCall, type HttpAnswer } from './http-call.ts';
import { SwitchbackError } from '../../src/core/errors.ts';

export class HydraRevocationError extends SwitchbackError {
  readonly code = 'ERR_HYDRA_REVOCATION';
}

/** Hydra's admin paths start with /admin; accept a base URL given with or without it. */
export function adminPath(target: HydraTarget, path: string): string {
  const base = target.adminUrl.replace(/\/admin$/, '');
  return `${base}/admin${path}`;
}

function explain(answer: HttpAnswer, what: string): string {
  if (answer.status === 401 || answer.status === 403) {
    return `${what} answered HTTP ${answer.status} (${errorSummary(answer)}): the proxy in front of Hydra's admin port refused the call; check --hydra-admin-header`;
  }
  return `${what} answered HTTP ${answer.status}: ${errorSummary(answer)}`;
}

/** Looks the client up, then deletes its tokens. Resolves with a one-line account of what happened. */
export async function revokeClientTokens(target: HydraTarget, timeoutMs: number): Promise<string> {
  const headers = Object.fromEntries(target.headers);
  const where = `Hydra's admin API at ${target.adminUrl}`;
  const id = encodeURIComponent(target.clientId);

  const lookup = await httpCall(adminPath(target, `/clients/${id}`), where, { headers: { ...headers, accept: 'application/json' }, timeoutMs });
  if (lookup.status === 404) {
    throw new HydraRevocationError(`Hydra has no OAuth2 client "${target.clientId}" (GET /admin/clients answered 404); check --olympus-client-id / OLYMPUS_CLIENT_ID`);
  }
  if (lookup.status < 200 || lookup.status > 299) throw new HydraRevocationError(explain(lookup, 'GET /admin/clients/{id}'));

  const del = await httpCall(adminPath(target, `/oauth2/tokens?client_id=${id}`), where, { method: 'DELETE', headers: { ...headers, accept: 'application/json' }, timeoutMs });
  if (del.status < 200 || del.status > 299) throw new HydraRevocationError(explain(del, 'DELETE /admin/oauth2/tokens'));
  return `DELETE /admin/oauth2/tokens?client_id=${target.clientId} → ${del.status}: access tokens of client ${target.clientId} revoked`;
}
