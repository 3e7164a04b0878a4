/**
 * The Statuspage stand-in follows the contract switchback relies on (auth
 * header, JSON and form bodies, 422 shape, the 1 request/s rolling-minute
 * limit answered 429 or 420), and the client (src/comms/statuspage-client.ts)
 * maps each answer to its failure code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStatuspageApi, type StatuspageHandle } from '../../dev/statuspage-api/server.ts';
import { createStatuspageIncident } from '../../src/comms/statuspage-client.ts';

const PAGE = 'pg1234abcd';
const KEY = 'sp-key-0123456789';
let sp: StatuspageHandle | undefined;
afterEach(async () => {
  await sp?.stop();
  sp = undefined;
});

const incident = { name: 'Sign-in issues', body: 'Sign-in works again.', status: 'identified' as const, deliverNotifications: false };

describe('the stand-in', () => {
  it('needs the OAuth header (or api_key); answers 401 with an error otherwise', async () => {
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY });
    const url = `${sp.url}/v1/pages/${PAGE}/incidents`;
    expect((await fetch(url)).status).toBe(401);
    const bearer = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toEqual({ error: 'Could not authenticate' });
    expect((await fetch(url, { headers: { authorization: `OAuth ${KEY}` } })).status).toBe(200);
    expect((await fetch(`${url}?api_key=${KEY}`)).status).toBe(200);
  });

  it('creates from JSON or a form body; 422 lists what is wrong', async () => {
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY });
    const url = `${sp.url}/v1/pages/${PAGE}/incidents`;
    const auth = { authorization: `OAuth ${KEY}` };
    const json = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ incident: { name: 'a', status: 'identified' } }) });
    expect(json.status).toBe(201);
    const form = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'incident[name]=b&incident[status]=investigating' });
    expect(((await form.json()) as { name: string }).name).toBe('b');
    const bad = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ incident: { status: 'on fire' } }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: ["Name can't be blank", 'Status is not included in the list'] });
    expect(sp.incidents.map((i) => i.name)).toEqual(['a', 'b']);
  });

  it('1 request/s on a rolling minute: past it, 429 (or 420) with Retry-After', async () => {
    let t = 1_000_000;
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY, limit: 3, now: () => t });
    const get = () => fetch(`${sp!.url}/v1/pages/${PAGE}/incidents`, { headers: { authorization: `OAuth ${KEY}` } });
    for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    t += 60_001;
    expect((await get()).status).toBe(200);
    await sp.stop();
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY, limit: 1, rateLimitStatus: 420 });
    await get();
    expect((await get()).status).toBe(420);
  });
});

describe('the client', () => {
  it('creates an incident and reads its id and shortlink; sends deliver_notifications false', async () => {
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY });
    const r = await createStatuspageIncident({ apiUrl: sp.url, pageId: PAGE, apiKey: KEY }, incident);
    expect(r).toMatchObject({ ok: true, status: 'identified' });
    if (!r.ok) throw new Error('unreachable');
    expect(r.shortlink).toBe(`https://stspg.io/${r.id}`);
    expect(sp.incidents[0]).toMatchObject({ name: 'Sign-in issues', deliver_notifications: false });
  });

  it('maps each refusal to its failure code, never echoing more than the error text', async () => {
    sp = await startStatuspageApi({ pageId: PAGE, apiKey: KEY, limit: 1, rateLimitStatus: 420 });
    expect(await createStatuspageIncident({ apiUrl: sp.url, pageId: PAGE, apiKey: 'wrong' }, incident)).toMatchObject({ ok: false, failure: 'unauthorized', status: 401, detail: 'HTTP 401: Could not authenticate' });
    expect(await createStatuspageIncident({ apiUrl: sp.url, pageId: PAGE, apiKey: KEY }, { ...incident, name: '' })).toMatchObject({ ok: false, failure: 'rejected', status: 422 });
    expect(await createStatuspageIncident({ apiUrl: sp.url, pageId: PAGE, apiKey: KEY }, incident)).toMatchObject({ ok: false, failure: 'rate_limited', status: 420, retryAfterSeconds: 60 });
    const url = sp.url;
    await sp.stop();
    sp = undefined;
    expect(await createStatuspageIncident({ apiUrl: url, pageId: PAGE, apiKey: KEY }, incident)).toMatchObject({ ok: false, failure: 'unavailable', status: 0 });
  });
});
