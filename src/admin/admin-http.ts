/**
 * The admin API's plumbing, as route middleware: who is calling (API token,
 * the operator console's session cookie, or Cloudflare Access), which role a route needs, bounded and validated
 * bodies. Refusals are problem answers (src/http/problem.ts) with a clear
 * message. Shared by the admin route modules.
 */
import type { Context, Input, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { getCookie } from 'hono/cookie';
import type { input as SchemaInput, output as SchemaOutput, ZodMiniType } from 'zod/mini';
import type { ActorRole, GatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { adminActorFor, roleAllows, type AdminActor } from './admin-auth.ts';
import { accessActor } from './access-jwt.ts';
import { CSRF_HEADER, csrfMatches, isSafeMethod, readConsoleSession } from './console-session.ts';
import { isCrossOriginBrowserRequest } from './fetch-metadata.ts';
import { describeIssues } from '../core/schema.ts';
import { readBounded } from '../http/bounded-body.ts';
import { problem } from '../http/problem.ts';

export const MAX_BODY_BYTES = 16 * 1024;

/** The one path a mirror token may call (src/routes/admin-mirror.ts). */
export const MIRROR_HEARTBEAT_PATH = '/_switchback/api/mirror/heartbeat';

export type AdminEnv = AppEnv & { Variables: AppEnv['Variables'] & { actor: AdminActor } };

/** The cookie Cloudflare Access sets in the browser; it carries the same JWT as the header. */
const ACCESS_COOKIE = 'CF_Authorization';

export function invalid(c: Context, what: string, error: Parameters<typeof describeIssues>[0]) {
  const { text, issues } = describeIssues(error);
  return problem(c, 'invalid_request', `Invalid ${what}: ${text}`, { issues });
}

/** The Cloudflare Access identity of a request (its header, else the cookie), when Access is configured. */
export async function accessIdentity(c: Context, config: Pick<GatewayConfig, 'access'>): Promise<AdminActor | undefined> {
  if (!config.access) return undefined;
  return accessActor(c.req.header('cf-access-jwt-assertion') ?? getCookie(c, ACCESS_COOKIE), config.access);
}

export const requireActor = createMiddleware<AdminEnv>(async (c, next) => {
  const config = c.var.config;
  let actor = await adminActorFor(c.req.header('authorization'), config.adminTokens);
  if (!actor && c.req.header('authorization') === undefined) {
    const session = await readConsoleSession(c, config);
    if (session) {
      // The console's cookie is an ambient credential: a change must come from this origin and carry the session's CSRF token.
      if (!isSafeMethod(c.req.method)) {
        if (isCrossOriginBrowserRequest(c.req.header('sec-fetch-site'))) {
          return problem(c, 'cross_site_request', 'This admin call is signed in with a console session and came from another site (Sec-Fetch-Site); it is refused.');
        }
        if (!csrfMatches(c, session)) {
          return problem(c, 'csrf_token_invalid', `A change made with a console session needs the session's CSRF token in ${CSRF_HEADER}; reload the console and try again.`);
        }
      }
      actor = session.actor;
    }
  }
  if (!actor && config.access) {
    actor = await accessIdentity(c, config);
    // An Access identity rides on a cookie the browser sends everywhere: refuse what another site makes it send.
    if (actor && isCrossOriginBrowserRequest(c.req.header('sec-fetch-site'))) {
      return problem(c, 'cross_site_request', 'This admin call is signed in with Cloudflare Access and came from another site (Sec-Fetch-Site); it is refused. Use the admin API from this origin, or with an API token (Authorization: Bearer).');
    }
  }
  // A mirror token sends switchback mirror's heartbeat and nothing else: not even a read.
  if (actor?.role === 'mirror' && !(c.req.method === 'POST' && c.req.path === MIRROR_HEARTBEAT_PATH)) {
    return problem(c, 'forbidden', `"${actor.name}" is a mirror token (ADMIN_TOKENS role "mirror"): it may only send switchback mirror's heartbeat (POST ${MIRROR_HEARTBEAT_PATH}).`);
  }
  if (!actor) {
    c.header('www-authenticate', 'Bearer realm="switchback-admin"');
    return problem(c, 'unauthorized', 'A valid admin API token (Authorization: Bearer <token>) or Cloudflare Access identity is required.');
  }
  c.set('actor', actor);
  await next();
});

/** A role, or a role with the words for what needs it and what to do instead. */
export type RoleNeed = ActorRole | { role: ActorRole; action: string; hint: string };

/**
 * Route middleware: the caller's role must allow `need`. When the role
 * depends on the request (the flag route: enabling needs eng-lead, rolling
 * back oncall), `need` is a function of the context, which sees the bodies
 * validated before it (`c.req.valid('json')`).
 */
export function requireRole<I extends Input = {}>(need: RoleNeed | ((c: Context<AdminEnv, string, I>) => RoleNeed | Promise<RoleNeed>)): MiddlewareHandler<AdminEnv, string, I> {
  return async (c, next) => {
    const n = typeof need === 'function' ? await need(c) : need;
    const { role, action, hint } = typeof n === 'string' ? { role: n, action: 'This action', hint: undefined } : n;
    const actor = c.var.actor;
    if (!roleAllows(actor.role, role)) return problem(c, 'forbidden', `${action} needs the ${role} role; "${actor.name}" has ${actor.role}.${hint ? ` ${hint}` : ''}`);
    await next();
  };
}

export function actorLabel(c: Context<AdminEnv>): string {
  return `${c.var.actor.name} (${c.var.actor.role})`;
}

/** Reads a bounded body as text; answers 413/415 with a clear message instead of throwing. */
export async function boundedText(c: Context<AdminEnv>, types: RegExp): Promise<{ ok: true; text: string } | { ok: false; res: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (type && !types.test(type)) return { ok: false, res: problem(c, 'unsupported_media_type', 'Unsupported Content-Type for this endpoint.') };
  const body = await readBounded(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return { ok: false, res: problem(c, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`) };
  return { ok: true, text: new TextDecoder().decode(body.bytes) };
}

/** curl -d sends application/x-www-form-urlencoded by default: the body is still JSON. */
const JSON_BODY_TYPES = /^(application\/json|application\/x-www-form-urlencoded)\b/i;

/**
 * Route middleware: a bounded JSON body checked against `schema`; the handler
 * reads it as `c.req.valid('json')`, typed, and Hono's client (`hc`) types
 * its `json` argument from the same schema. Not `hono/validator`'s json
 * target: that reads the body unbounded and quietly validates `{}` when the
 * Content-Type is not JSON, which would refuse the plan's `curl -d` with a
 * wrong message instead of reading it.
 */
export function jsonBody<S extends ZodMiniType>(schema: S, what: string): MiddlewareHandler<AdminEnv, string, { in: { json: SchemaInput<S> }; out: { json: SchemaOutput<S> } }> {
  return async (c, next) => {
    const body = await boundedText(c, JSON_BODY_TYPES);
    if (!body.ok) return body.res;
    let value: unknown;
    try {
      value = JSON.parse(body.text);
    } catch {
      return problem(c, 'invalid_json', 'The body is not valid JSON.');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) return invalid(c, what, parsed.error);
    c.req.addValidatedData('json', parsed.data as object);
    await next();
  };
}
