/**
 * The admin API's plumbing: who is calling (API token or Cloudflare Access),
 * role checks, bounded JSON bodies, and problem responses with a clear
 * message. Shared by the admin route modules.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { getCookie } from 'hono/cookie';
import type { AdminRole } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { adminActorFor, roleAllows, type AdminActor } from './admin-auth.ts';
import { accessActor } from './access-jwt.ts';
import { isCrossOriginBrowserRequest } from './fetch-metadata.ts';
import { describeIssues } from '../core/schema.ts';
import { readBounded } from '../http/bounded-body.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export type AdminEnv = AppEnv & { Variables: AppEnv['Variables'] & { actor: AdminActor } };

/** The cookie Cloudflare Access sets in the browser; it carries the same JWT as the header. */
const ACCESS_COOKIE = 'CF_Authorization';

export function problem(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 503, error: string, description: string, extra: Record<string, unknown> = {}) {
  return c.json({ error, error_description: description, ...extra }, status, { 'cache-control': 'no-store' });
}

export function invalid(c: Context, what: string, error: Parameters<typeof describeIssues>[0]) {
  const { text, issues } = describeIssues(error);
  return problem(c, 400, 'invalid_request', `Invalid ${what}: ${text}`, { issues });
}

export const requireActor = createMiddleware<AdminEnv>(async (c, next) => {
  const config = c.var.config;
  let actor = await adminActorFor(c.req.header('authorization'), config.adminTokens);
  if (!actor && config.access) {
    actor = await accessActor(c.req.header('cf-access-jwt-assertion') ?? getCookie(c, ACCESS_COOKIE), config.access);
    // An Access identity rides on a cookie the browser sends everywhere: refuse what another site makes it send.
    if (actor && isCrossOriginBrowserRequest(c.req.header('sec-fetch-site'))) {
      return problem(c, 403, 'cross_site_request', 'This admin call is signed in with Cloudflare Access and came from another site (Sec-Fetch-Site); it is refused. Use the admin API from this origin, or with an API token (Authorization: Bearer).');
    }
  }
  if (!actor) {
    c.header('www-authenticate', 'Bearer realm="switchback-admin"');
    return problem(c, 401, 'unauthorized', 'A valid admin API token (Authorization: Bearer <token>) or Cloudflare Access identity is required.');
  }
  c.set('actor', actor);
  await next();
});

export function requireRole(c: Context<AdminEnv>, role: AdminRole): Response | undefined {
  if (roleAllows(c.var.actor.role, role)) return undefined;
  return problem(c, 403, 'forbidden', `This action needs the ${role} role; "${c.var.actor.name}" has ${c.var.actor.role}.`);
}

export function actorLabel(c: Context<AdminEnv>): string {
  return `${c.var.actor.name} (${c.var.actor.role})`;
}

/** Reads a bounded body as text; answers 413/415 with a clear message instead of throwing. */
export async function boundedText(c: Context<AdminEnv>, types: RegExp): Promise<{ ok: true; text: string } | { ok: false; res: Response }> {
  const type = c.req.header('content-type') ?? '';
  if (type && !types.test(type)) return { ok: false, res: problem(c, 415, 'unsupported_media_type', 'Unsupported Content-Type for this endpoint.') };
  const body = await readBounded(c.req.raw, MAX_BODY_BYTES);
  if (!body.ok) return { ok: false, res: problem(c, 413, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`) };
  return { ok: true, text: new TextDecoder().decode(body.bytes) };
}

/** A bounded JSON body. curl -d sends application/x-www-form-urlencoded by default: the body is still JSON. */
export async function jsonBody(c: Context<AdminEnv>): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> {
  const body = await boundedText(c, /^(application\/json|application\/x-www-form-urlencoded)\b/i);
  if (!body.ok) return body;
  try {
    return { ok: true, value: JSON.parse(body.text) };
  } catch {
    return { ok: false, res: problem(c, 400, 'invalid_json', 'The body is not valid JSON.') };
  }
}
