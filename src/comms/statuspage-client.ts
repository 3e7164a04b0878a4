/**
 * Atlassian Statuspage's Manage API, the one call we make: create an
 * incident (`POST /v1/pages/{page_id}/incidents`, `Authorization: OAuth
 * <key>`, a JSON body `{"incident": {name, status, body, ...}}`; Statuspage
 * accepts JSON or form bodies with a matching Content-Type). Sources:
 * developer.statuspage.io ("Authentication", "Rate limiting": 1 request/s per
 * token on a 60 s rolling window, 420 or 429 when exceeded) and
 * /work/shared/reference/provider-facts.md. Statuspage has no idempotency
 * key: the caller deduplicates (statuspage-desk.ts). UNCONFIRMED: the shape
 * of error bodies (we read `error` as a string or a list when present, and
 * never echo more than 200 characters of it).
 */
export interface StatuspageOptions {
  apiUrl: string;
  pageId: string;
  apiKey: string;
}

export interface StatuspageIncidentInput {
  name: string;
  body: string;
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  /** False: subscribers are not emailed (a person decides when to notify). */
  deliverNotifications: boolean;
}

export type StatuspageFailure = 'unauthorized' | 'rate_limited' | 'rejected' | 'unavailable';

export type StatuspageResult =
  | { ok: true; id: string; shortlink: string | null; status: string }
  | { ok: false; failure: StatuspageFailure; status: number; detail: string; retryAfterSeconds?: number };

const TIMEOUT_MS = 5000;

/** Status -> failure, written out: 420 is Statuspage's own rate-limit status besides 429. */
function failureFor(status: number): StatuspageFailure {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 420 || status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'rejected';
  return 'unavailable';
}

export async function createStatuspageIncident(o: StatuspageOptions, input: StatuspageIncidentInput, fetchImpl: typeof fetch = fetch): Promise<StatuspageResult> {
  const url = `${o.apiUrl.replace(/\/+$/, '')}/v1/pages/${encodeURIComponent(o.pageId)}/incidents`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `OAuth ${o.apiKey}`, 'content-type': 'application/json', 'user-agent': 'switchback/1' },
      body: JSON.stringify({ incident: { name: input.name, status: input.status, body: input.body, deliver_notifications: input.deliverNotifications } }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    return { ok: false, failure: 'unavailable', status: 0, detail: `not reachable: ${String(err).slice(0, 200)}` };
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = `HTTP ${res.status}`;
    try {
      const e = (JSON.parse(text) as { error?: unknown }).error;
      if (typeof e === 'string' || Array.isArray(e)) detail += `: ${(Array.isArray(e) ? e.join('; ') : e).slice(0, 200)}`;
    } catch {
      // Not JSON: the status says enough.
    }
    const retry = Number(res.headers.get('retry-after'));
    return { ok: false, failure: failureFor(res.status), status: res.status, detail, ...(Number.isFinite(retry) && retry > 0 ? { retryAfterSeconds: retry } : {}) };
  }
  try {
    const body = JSON.parse(text) as { id?: unknown; shortlink?: unknown; status?: unknown };
    if (typeof body.id !== 'string') throw new Error('no id');
    return { ok: true, id: body.id, shortlink: typeof body.shortlink === 'string' ? body.shortlink : null, status: String(body.status ?? input.status) };
  } catch {
    return { ok: false, failure: 'unavailable', status: res.status, detail: 'the answer is not an incident (no id)' };
  }
}
