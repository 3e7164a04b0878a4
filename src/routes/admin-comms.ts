/**
 * Communication after a rollback through the admin API (src/rollback/comms-desk.ts):
 * the texts for users, oncall and the status page, previewed; the Statuspage
 * incident published by a person, once per rollback.
 */
import { Hono } from 'hono';
import { actorLabel, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { problem } from '../http/problem.ts';
import { controller } from '../rollback/controller-client.ts';

export const adminComms = new Hono<AdminEnv>()
  .get('/_switchback/api/comms/preview', async (c) => c.json(await controller(c.env).commsPreview(new URL(c.req.url).origin), 200, { 'cache-control': 'no-store' }))
  .post('/_switchback/api/comms/statuspage', requireRole('oncall'), async (c) => {
    const r = await controller(c.env).publishStatuspage(actorLabel(c), new URL(c.req.url).origin);
    switch (r.outcome) {
      case 'created':
        return c.json({ outcome: r.outcome, incident: r.record }, 201, { 'cache-control': 'no-store' });
      case 'already_published':
        return c.json({ outcome: r.outcome, incident: r.record }, 200, { 'cache-control': 'no-store' });
      case 'in_progress':
        return problem(c, 'statuspage_in_progress', 'Someone is publishing this rollback\'s status page incident right now; check again in a minute.');
      case 'no_rollback':
        return problem(c, 'no_rollback', 'There is no rollback to tell users about.');
      case 'not_configured':
        return problem(c, 'misconfigured', 'Statuspage is not configured: set STATUSPAGE_PAGE_ID and STATUSPAGE_API_KEY.', { variable: 'STATUSPAGE_PAGE_ID' });
      case 'failed':
        return problem(c, 'statuspage_failed', `Statuspage refused or could not be reached (${r.record.error}); nothing was published; try again.`);
    }
  });
