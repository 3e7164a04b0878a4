/**
 * The flag through the admin API. The controller object is the single
 * writer (it writes through to KV); the plan's own
 * `curl -X POST $FLAG_API/flags/olympus_auth -d '{"enabled": false}'` works
 * with FLAG_API=<gateway>/_switchback/api and a bearer token.
 */
import { Hono, type Context } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, jsonBody, requireRole, type AdminEnv, type RoleNeed } from '../admin/admin-http.ts';
import { orderedRole } from '../admin/admin-auth.ts';
import { problem } from '../http/problem.ts';
import { controller } from '../rollback/controller-client.ts';
import { FLAG_KEY } from '../flag/flag-record.ts';
import { clientConfigExists } from '../providers/client-config-writer.ts';
import { invalidateFlagCache } from '../flag/kv-flag.ts';
import { resetLoginFlag } from '../flag/controller-flag.ts';
import { log } from '../core/log.ts';

const Reason = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));
const FlagChangeBody = z.strictObject({
  enabled: z.boolean(),
  percent: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  reason: z.optional(Reason),
  client_config_version: z.optional(z.int().check(z.minimum(0))),
  /** An eng-lead lifts the re-enable gate (postmortem, drill, cooldown) with this reason: audited and announced. */
  override_reason: z.optional(Reason),
});

type FlagChangeInput = { out: { json: z.Infer<typeof FlagChangeBody> } };

/**
 * Turning Olympus on (or widening it) is the risky direction: eng-lead only.
 * Rolling back: oncall too. Oncall may roll back, not change which OAuth
 * clients are in force nor raise the share a later enable sends to Olympus:
 * those are eng-lead decisions.
 */
async function flagChangeNeeds(c: Context<AdminEnv, string, FlagChangeInput>): Promise<RoleNeed> {
  const change = c.req.valid('json');
  if (change.enabled) return 'eng-lead';
  const current = await controller(c.env).getFlag();
  if (change.client_config_version !== undefined && change.client_config_version !== (current.client_config_version ?? 0)) {
    return { role: 'eng-lead', action: 'Changing client_config_version', hint: 'Roll back without client_config_version, or ask an eng-lead.' };
  }
  // Changes that don't name percent keep it (flag-transition.ts): widening the share a later enable goes to is eng-lead's, even on a rollback.
  if (change.percent !== undefined && change.percent > (current.percent ?? 100)) {
    return { role: 'eng-lead', action: 'Raising percent', hint: 'Roll back without percent, or ask an eng-lead.' };
  }
  return 'oncall';
}

export const adminFlags = new Hono<AdminEnv>()
  .get(`/_switchback/api/flags/${FLAG_KEY}`, async (c) => {
    const flag = await controller(c.env).getFlag();
    return c.json(flag, 200, { 'cache-control': 'no-store' });
  })
  .post(`/_switchback/api/flags/${FLAG_KEY}`, jsonBody(FlagChangeBody, 'flag change'), requireRole(flagChangeNeeds), async (c) => {
    const change = c.req.valid('json');
    if (change.client_config_version !== undefined && !(await clientConfigExists(c.env.SWITCHBACK_KV, change.client_config_version))) {
      return problem(c, 'invalid_request', `Invalid flag change: client_config_version ${change.client_config_version} does not exist.`);
    }
    const result = await controller(c.env).setFlag(
      {
        enabled: change.enabled,
        percent: change.percent,
        client_config_version: change.client_config_version,
        reason: change.reason ?? (change.enabled ? 'enabled through the admin API' : 'disabled through the admin API'),
        actor: actorLabel(c),
      },
      orderedRole(c.var.actor),
      change.override_reason,
    );
    if ('blocked' in result) {
      const hint = result.overridable ? ' An eng-lead may override with "override_reason" (audited and announced).' : '';
      return problem(c, 'reenable_blocked', `Re-enabling Olympus after the rollback needs: ${result.blocked.map((m) => m.message).join('; ')}.${hint}`, { missing: result.blocked, overridable: result.overridable });
    }
    const { previous, current } = result;
    // This isolate sees the change at once; others within FLAG_CACHE_TTL_MS.
    invalidateFlagCache();
    resetLoginFlag();
    log('warn', { event: 'flag_changed', actor: c.var.actor.name, role: c.var.actor.role, from: previous.enabled, to: current.enabled, percent: current.percent, version: current.version });
    return c.json(current, 200, { 'cache-control': 'no-store' });
  });
