/**
 * The gateway's admin API through Hono's typed client: paths, methods, bodies
 * and answers come from the routes themselves (src/routes/admin.ts `AdminApi`),
 * so the rollback command, the e2e helpers and the benchmarks cannot drift
 * from what the gateway serves. The answer types below are named views of
 * that one type, never hand-copied shapes.
 */
import { hc, type ClientResponse, type InferRequestType, type InferResponseType } from 'hono/client';
import type { AdminApi } from '../../src/routes/admin.ts';

export const ADMIN_PREFIX = '/_switchback/api';

/** The admin API under <gateway>/_switchback/api, with the bearer token on every call. */
export function adminApi(gatewayUrl: string, token: string, fetchImpl?: typeof fetch) {
  return hc<AdminApi>(gatewayUrl, { headers: { authorization: `Bearer ${token}` }, ...(fetchImpl ? { fetch: fetchImpl } : {}) })._switchback.api;
}

export type AdminApiClient = ReturnType<typeof adminApi>;

export type FlagChange = InferRequestType<AdminApiClient['flags']['olympus_auth']['$post']>['json'];
export type FlagState = InferResponseType<AdminApiClient['flags']['olympus_auth']['$get'], 200>;
export type RollbackAnswer = InferResponseType<AdminApiClient['rollback']['$post'], 200>;
/** GET /status as the routes type it: the controller's ControllerStatus, through Hono's JSON typing. */
export type GatewayStatus = InferResponseType<AdminApiClient['status']['$get'], 200>;
export type RuleStatus = GatewayStatus['rules'][number];
export type AuditPage = InferResponseType<AdminApiClient['audit']['$get'], 200>;
export type AuditEntry = AuditPage['entries'][number];

/** The JSON body of a call's 2xx answer, typed from the route. */
export type OkJson<R> = R extends ClientResponse<infer T, infer S, infer F> ? (S extends 200 | 201 ? (F extends 'json' ? T : never) : never) : never;

/** The body of a 2xx answer; anything else is an Error naming the call, the status and the gateway's words. */
export async function okJson<R extends ClientResponse<unknown, number, string>>(what: string, call: Promise<R>): Promise<OkJson<R>> {
  const res = await call;
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text}`);
  return JSON.parse(text) as OkJson<R>;
}

/** The text of a 2xx answer (GET /metrics). */
export async function okText(what: string, call: Promise<ClientResponse<unknown, number, string>>): Promise<string> {
  const res = await call;
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text}`);
  return text;
}

/** GET /status (any role). */
export function readStatus(api: AdminApiClient): Promise<GatewayStatus> {
  return okJson('GET /status', api.status.$get());
}
