/** Versioned OAuth client configuration through the admin API (see src/providers/client-config.ts). */
import { Hono } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, jsonBody, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { problem } from '../http/problem.ts';
import { appendClientConfig, latestClientConfigVersion } from '../providers/client-config-writer.ts';
import { ClientProvidersSchema, readClientConfig } from '../providers/client-config.ts';
import { log } from '../core/log.ts';
import { controller } from '../rollback/controller-client.ts';

const ClientConfigBody = z.strictObject({ providers: ClientProvidersSchema, reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)) });

export const adminClientConfig = new Hono<AdminEnv>()
  .get('/_switchback/api/client-config', async (c) => {
    const latest = await latestClientConfigVersion(c.env.SWITCHBACK_KV);
    const versions = [];
    for (let v = latest; v > 0 && versions.length < 20; v--) {
      const r = await readClientConfig(c.env.SWITCHBACK_KV, v);
      if (r) versions.push(r);
    }
    const p = c.var.config.providers;
    const bootstrap = {
      version: 0,
      source: 'vars',
      providers: {
        auth0: { client_id: p.auth0.clientId, client_secret_var: 'AUTH0_CLIENT_SECRET', scopes: p.auth0.scopes },
        olympus: { client_id: p.olympus.clientId, client_secret_var: 'OLYMPUS_CLIENT_SECRET', scopes: p.olympus.scopes },
      },
    };
    return c.json({ latest, versions: [...versions, bootstrap] }, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/client-config', requireRole('eng-lead'), jsonBody(ClientConfigBody, 'client configuration'), async (c) => {
    const change = c.req.valid('json');
    for (const [id, client] of Object.entries(change.providers)) {
      const secret = client && (c.env as Record<string, unknown>)[client.client_secret_var];
      if (client && (typeof secret !== 'string' || secret === '')) {
        return problem(c, 'invalid_request', `Invalid client configuration: providers.${id}.client_secret_var names ${client.client_secret_var}, which is not set (wrangler secret put ${client.client_secret_var}).`);
      }
    }
    const record = await appendClientConfig(c.env.SWITCHBACK_KV, { ...change, created_by: actorLabel(c) });
    log('warn', { event: 'client_config_created', actor: c.var.actor.name, version: record.version });
    await controller(c.env).recordAdminChange('client_config.created', actorLabel(c), { version: record.version, reason: record.reason, providers: Object.keys(record.providers).join(',') });
    return c.json(record, 201, { 'cache-control': 'no-store' });
  });
