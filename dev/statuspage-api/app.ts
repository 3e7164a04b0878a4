// A local stand-in for Atlassian Statuspage's Manage API, the incident calls
// switchback makes, following the published contract (developer.statuspage.io):
// - auth: `Authorization: OAuth <api key>` (or `?api_key=`), one key per organisation;
// - `POST /v1/pages/{page_id}/incidents` (also `.json`), body JSON `{"incident": {...}}` or
//   form-encoded `incident[name]=...`, with a Content-Type that matches;
// - `GET /v1/pages/{page_id}/incidents` (newest first);
// - rate limit: 1 request/s per token measured on a 60 s rolling window (at most 60 in any 60 s),
//   answered 420 or 429 (the docs name both; this stand-in answers `rateLimitStatus`, 429 by default).
// UNCONFIRMED, written as the stand-in's own choice: error bodies `{"error": "..."}` (401, 404,
// 420/429) and `{"error": ["Name can't be blank"]}` (422); 201 with the incident on create; a
// `shortlink` of the form https://stspg.io/<id>. Statuspage has no draft incidents or idempotency
// key that we could confirm: every accepted POST creates a public incident.
import { Hono } from 'hono';

export interface StatuspageIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  body: string;
  deliver_notifications: boolean;
  shortlink: string;
  created_at: string;
}

export interface StatuspageAppOptions {
  pageId: string;
  apiKey: string;
  /** Requests allowed per token in any `windowMs` (60 per 60 s: Statuspage's 1 request/s on a rolling minute). */
  limit?: number;
  windowMs?: number;
  rateLimitStatus?: 420 | 429;
  now?: () => number;
}

const STATUSES = new Set(['investigating', 'identified', 'monitoring', 'resolved']);

export function createStatuspageApp(o: StatuspageAppOptions) {
  const incidents: StatuspageIncident[] = [];
  const calls = new Map<string, number[]>();
  const limit = o.limit ?? 60;
  const windowMs = o.windowMs ?? 60_000;
  const now = o.now ?? Date.now;
  let seq = 0;

  const app = new Hono();
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    const key = header?.startsWith('OAuth ') ? header.slice(6).trim() : c.req.query('api_key');
    if (key !== o.apiKey) return c.json({ error: 'Could not authenticate' }, 401);
    const t = now();
    const recent = (calls.get(key) ?? []).filter((at) => at > t - windowMs);
    if (recent.length >= limit) {
      calls.set(key, recent);
      // 420 is not a registered status (Hono's types refuse it): build the answer by hand.
      return new Response(JSON.stringify({ error: 'Rate limit exceeded' }), { status: o.rateLimitStatus ?? 429, headers: { 'content-type': 'application/json', 'retry-after': String(Math.ceil((recent[0]! + windowMs - t) / 1000)) } });
    }
    recent.push(t);
    calls.set(key, recent);
    await next();
  });

  const page = (id: string) => id.replace(/\.json$/, '') === o.pageId;

  app.get('/v1/pages/:page/incidents', (c) => (page(c.req.param('page')) ? c.json([...incidents].reverse()) : c.json({ error: 'Page not found' }, 404)));
  app.post('/v1/pages/:page/incidents', async (c) => {
    if (!page(c.req.param('page'))) return c.json({ error: 'Page not found' }, 404);
    const type = c.req.header('content-type') ?? '';
    let fields: Record<string, unknown> = {};
    if (type.startsWith('application/json')) {
      const body = (await c.req.json().catch(() => undefined)) as { incident?: Record<string, unknown> } | undefined;
      if (!body) return c.json({ error: 'The body is not JSON' }, 400);
      fields = body.incident ?? {};
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(await c.req.text())) {
        const m = /^incident\[([a-z_]+)\]$/.exec(k);
        if (m) fields[m[1]!] = v;
      }
    } else {
      return c.json({ error: 'Content-Type must be application/json or application/x-www-form-urlencoded' }, 415);
    }
    const errors: string[] = [];
    if (typeof fields.name !== 'string' || fields.name.trim() === '') errors.push("Name can't be blank");
    const status = fields.status ?? 'investigating';
    if (typeof status !== 'string' || !STATUSES.has(status)) errors.push('Status is not included in the list');
    if (errors.length) return c.json({ error: errors }, 422);
    const id = `sb${(++seq).toString(36).padStart(10, '0')}`;
    const incident: StatuspageIncident = {
      id,
      page_id: o.pageId,
      name: String(fields.name),
      status: String(status),
      impact: 'none',
      body: typeof fields.body === 'string' ? fields.body : '',
      deliver_notifications: fields.deliver_notifications !== false && fields.deliver_notifications !== 'false',
      shortlink: `https://stspg.io/${id}`,
      created_at: new Date(now()).toISOString(),
    };
    incidents.push(incident);
    return c.json(incident, 201);
  });
  app.all('*', (c) => c.json({ error: 'Not found' }, 404));
  return { app, incidents };
}
