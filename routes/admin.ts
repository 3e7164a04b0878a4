/**
 * The admin API under /_switchback/api: JSON in and out, every input
 * validated, every change logged with its actor. The plan's own
 * `curl -X POST $FLAG_API/flags/olympus_auth -d '{"enabled": false}'` works
 * with FLAG_API=<gateway>/_switchback/api (plus the bearer token).
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import * as z from '../src/core/schema.ts';
import { describeIssues } from '../src/core/schema.ts';
import type { AppEnv } from '../src/env.ts';
import { adminActorFor, roleAllows, type AdminActor } from '../src/admin/admin-auth.ts';
import type { AdminRole } from '../src/config.ts';
import { FLAG_KEY, parseFlagRecord, SAFE_DEFAULT_FLAG } from '../src/flag/flag-record.ts';
import { writeFlag } from '../src/flag/flag-writer.ts';
import { log } from '../src/core/log.ts';
import { appendClientConfig, clientConfigExists, latestClientConfigVersion } from '../src/providers/client-config-writer.ts';
import { ClientProvidersSchema, readClientConfig } from '../src/providers/client-config.ts';

const MAX_BODY_BYTES = 16 * 1024;

type AdminEnv = AppEnv & { Variables: AppEnv['Variables'] & { actor: AdminActor } };

const Reason = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));
const ClientConfigBody = z.strictObject({ providers: ClientProvidersSchema, reason: Reason });

function invalid(c: Context, what: string, error: Parameters<typeof describeIssues>[0]) {
  const { text, issues } = describeIssues(error);
  return problem(c, 400, 'invalid_request', `Invalid ${what}: ${text}`, { issues });
}

const FlagChangeBody = z.strictObject({
  enabled: z.boolean(),
  percent: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  reason: z.optional(Reason),
  client_config_version: z.optional(z.int().check(z.minimum(0))),
});

function problem(c: Context, status: 400 | 401 | 403 | 413 | 415, error: string, description: string, extra: Record<string, unknown> = {}) {
  return c.json({ error, error_description: description, ...extra }, status, { 'cache-control': 'no-store' });
}

const requireActor = createMiddleware<AdminEnv>(async (c, next) => {
  const actor = await adminActorFor(c.req.header('authorization'), c.var.config.adminTokens);
  if (!actor) {
    c.header('www-authenticate', 'Bearer realm="switchback-admin"');
    return problem(c, 401, 'unauthorized', 'A valid admin API token is required (Authorization: Bearer <token>).');
  }
  c.set('actor', actor);
  await next();
});

function requireRole(c: Context<AdminEnv>, role: AdminRole): Response | undefined {
  if (roleAllows(c.var.actor.role, role)) return undefined;
  return problem(c, 403, 'forbidden', `This action needs the ${role} role; token "${c.var.actor.name}" has ${c.var.actor.role}.`);
}

/** Reads a bounded JSON body; answers 413/415/400 with a clear message instead of throwing. */
async function jsonBody(c: Context<AdminEnv>): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> {
  const type = c.req.header('content-type') ?? '';
  // curl -d sends application/x-www-form-urlencoded by default; the body is still JSON.
  if (type && !/^(application\/json|application\/x-www-form-urlencoded)\b/i.test(type)) {
    return { ok: false, res: problem(c, 415, 'unsupported_media_type', 'Send a JSON body (Content-Type: application/json).') };
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return { ok: false, res: problem(c, 413, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`) };
  const text = await c.req.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES) return { ok: false, res: problem(c, 413, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`) };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, res: problem(c, 400, 'invalid_json', 'The body is not valid JSON.') };
  }
}

export const admin = new Hono<AdminEnv>()
  .use('/_switchback/api/*', requireActor)
  .get(`/_switchback/api/flags/${FLAG_KEY}`, async (c) => {
    const text = await c.env.SWITCHBACK_KV.get(FLAG_KEY, 'text');
    const flag = text === null ? SAFE_DEFAULT_FLAG : parseFlagRecord(text);
    if (!flag) return c.json({ error: 'flag_invalid', error_description: 'The stored flag fails validation; the gateway treats it as unreadable (last good value, else Auth0).' }, 200);
    return c.json({ ...flag, stored: text !== null }, 200, { 'cache-control': 'no-store' });
  })
  .post(`/_switchback/api/flags/${FLAG_KEY}`, async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return body.res;
    const parsed = FlagChangeBody.safeParse(body.value);
    if (!parsed.success) return invalid(c, 'flag change', parsed.error);
    const change = parsed.data;
    // Turning Olympus on (or widening it) is the risky direction: eng-lead only. Rolling back: oncall too.
    const denied = requireRole(c, change.enabled ? 'eng-lead' : 'oncall');
    if (denied) return denied;
    if (change.client_config_version !== undefined && !(await clientConfigExists(c.env.SWITCHBACK_KV, change.client_config_version))) {
      return problem(c, 400, 'invalid_request', `Invalid flag change: client_config_version ${change.client_config_version} does not exist.`);
    }
    const { previous, current } = await writeFlag(c.env.SWITCHBACK_KV, {
      enabled: change.enabled,
      percent: change.percent,
      client_config_version: change.client_config_version,
      reason: change.reason ?? (change.enabled ? 'enabled through the admin API' : 'disabled through the admin API'),
      actor: `${c.var.actor.name} (${c.var.actor.role})`,
    });
    log('warn', { event: 'flag_changed', actor: c.var.actor.name, role: c.var.actor.role, from: previous.enabled, to: current.enabled, percent: current.percent, version: current.version, reason: current.reason });
    return c.json(current, 200, { 'cache-control': 'no-store' });
  })
  .get('/_switchback/api/client-config', async (c) => {
    const latest = await latestClientConfigVersion(c.env.SWITCHBACK_KV);
    const versions = [];
    for (let v = latest; v > 0 && versions.length < 20; v--) {
      const r = await readClientConfig(c.env.SWITCHBACK_KV, v);
      if (r) versions.push(r);
    }
    const p = c.var.config.providers;
    const bootstrap = { version: 0, source: 'vars', providers: { auth0: { client_id: p.auth0.clientId, client_secret_var: 'AUTH0_CLIENT_SECRET', scopes: p.auth0.scopes }, olympus: { client_id: p.olympus.clientId, client_secret_var: 'OLYMPUS_CLIENT_SECRET', scopes: p.olympus.scopes } } };
    return c.json({ latest, versions: [...versions, bootstrap] }, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/client-config', async (c) => {
    const denied = requireRole(c, 'eng-lead');
    if (denied) return denied;
    const body = await jsonBody(c);
    if (!body.ok) return body.res;
    const parsed = ClientConfigBody.safeParse(body.value);
    if (!parsed.success) return invalid(c, 'client configuration', parsed.error);
    for (const [id, client] of Object.entries(parsed.data.providers)) {
      const secret = client && (c.env as Record<string, unknown>)[client.client_secret_var];
      if (client && (typeof secret !== 'string' || secret === '')) {
        return problem(c, 400, 'invalid_request', `Invalid client configuration: providers.${id}.client_secret_var names ${client.client_secret_var}, which is not set (wrangler secret put ${client.client_secret_var}).`);
      }
    }
    const record = await appendClientConfig(c.env.SWITCHBACK_KV, { ...parsed.data, created_by: `${c.var.actor.name} (${c.var.actor.role})` });
    log('warn', { event: 'client_config_created', actor: c.var.actor.name, version: record.version });
    return c.json(record, 201, { 'cache-control': 'no-store' });
  })
  .all('/_switchback/api/*', (c) => c.json({ error: 'not_found', error_description: 'No such admin endpoint.' }, 404));
