/**
 * Contract tests for the Kratos admin API stand-in (dev/kratos-admin): keyset
 * pagination announced in the Link header, ordering by id, page_size default
 * and cap, include_credential / credentials_identifier, the herodot error
 * shape, Go's plain-text 404 and the optional API key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeIdentities, startKratosAdmin, type KratosAdminHandle } from '../../dev/kratos-admin/index.ts';

let kratos: KratosAdminHandle | undefined;
afterEach(async () => {
  await kratos?.stop();
  kratos = undefined;
});

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (res.headers.get('link') ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

async function walk(base: string, first: string): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let next: string | undefined = first;
  while (next) {
    const res: Response = await fetch(new URL(next, base));
    expect(res.status).toBe(200);
    const page = (await res.json()) as Array<{ id: string }>;
    pages.push(page.length);
    ids.push(...page.map((i) => i.id));
    next = links(res).next;
  }
  return { ids, pages };
}

describe('GET /admin/identities', () => {
  it('walks every identity exactly once, in id order, by following rel="next"', async () => {
    const seeded = makeIdentities(1234, { seed: 7 });
    kratos = await startKratosAdmin({ identities: seeded });
    const { ids, pages } = await walk(kratos.url, '/admin/identities?page_size=100&include_credential=password');
    expect(ids).toHaveLength(1234);
    expect(new Set(ids).size).toBe(1234);
    expect(ids).toEqual(seeded.map((i) => i.id).sort());
    expect(pages).toEqual([...Array(12).fill(100), 34]);
  });

  it('uses page_size 250 by default, announces first and next, and drops next on the last page', async () => {
    kratos = await startKratosAdmin({ identities: makeIdentities(260, { seed: 2 }) });
    const res = await fetch(`${kratos.url}/admin/identities`);
    expect(await res.json()).toHaveLength(250);
    const l = links(res);
    expect(l.first).toMatch(/^\/admin\/identities\?page_size=250&page_token=[A-Za-z0-9%]+$/);
    expect(l.next).toMatch(/^\/admin\/identities\?page_size=250&page_token=/);
    const last = await fetch(new URL(l.next!, kratos.url));
    expect(await last.json()).toHaveLength(10);
    expect(Object.keys(links(last))).toEqual(['first']);
  });

  it('keeps the other query parameters in the links and caps page_size at the maximum', async () => {
    kratos = await startKratosAdmin({ identities: makeIdentities(30, { seed: 3 }), pageSizeMax: 20 });
    const res = await fetch(`${kratos.url}/admin/identities?page_size=500&include_credential=password`);
    expect(await res.json()).toHaveLength(20);
    const next = new URL(links(res).next!, kratos.url);
    expect(next.searchParams.get('page_size')).toBe('20');
    expect(next.searchParams.get('include_credential')).toBe('password');
  });

  it('caps at 1000 by default', async () => {
    kratos = await startKratosAdmin({ identities: makeIdentities(1001, { seed: 4 }) });
    const res = await fetch(`${kratos.url}/admin/identities?page_size=5000`);
    expect(await res.json()).toHaveLength(1000);
    expect(links(res).next).toBeDefined();
  });

  it('can emit absolute links (older Kratos releases)', async () => {
    kratos = await startKratosAdmin({ identities: makeIdentities(3, { seed: 5 }), linkStyle: 'absolute' });
    const res = await fetch(`${kratos.url}/admin/identities?page_size=2`);
    expect(links(res).next!.startsWith(`${kratos.url}/admin/identities?`)).toBe(true);
  });

  it('omits credentials unless asked; include_credential=password declassifies the hash', async () => {
    const [identity] = makeIdentities(1, { seed: 6, hashShare: 1 });
    kratos = await startKratosAdmin({ identities: [identity!] });
    const plain = ((await (await fetch(`${kratos.url}/admin/identities`)).json()) as Array<Record<string, unknown>>)[0]!;
    expect(plain).not.toHaveProperty('credentials');
    expect(plain).toMatchObject({ id: identity!.id, schema_id: 'default', state: 'active', traits: identity!.traits, metadata_public: null });
    expect(plain.schema_url).toBe(`${kratos.url}/schemas/ZGVmYXVsdA`);

    const full = ((await (await fetch(`${kratos.url}/admin/identities?include_credential=password`)).json()) as Array<any>)[0];
    expect(full.credentials.password).toMatchObject({ type: 'password', identifiers: [identity!.traits.email], version: 0 });
    expect(full.credentials.password.config.hashed_password).toBe(identity!.credentials!.password!.config!.hashed_password);
  });

  it('filters by credentials_identifier (exact, case-insensitive) and then shows credentials without config', async () => {
    const seeded = makeIdentities(20, { seed: 8 });
    kratos = await startKratosAdmin({ identities: seeded });
    const wanted = seeded[13]!;
    const res = await fetch(`${kratos.url}/admin/identities?credentials_identifier=${encodeURIComponent(wanted.traits.email.toUpperCase())}`);
    const body = (await res.json()) as Array<any>;
    expect(body.map((i) => i.id)).toEqual([wanted.id]);
    const cred = Object.values(body[0].credentials)[0] as Record<string, unknown>;
    expect(cred).not.toHaveProperty('config');
  });

  it('answers 400 in herodot shape for bad parameters', async () => {
    kratos = await startKratosAdmin({ identities: makeIdentities(2, { seed: 9 }) });
    const cases = [
      ['include_credential=passwd', 'Invalid value `passwd` for parameter `include_credential`.'],
      ['page_token=not-a-token', 'The page token is invalid, do not craft your own page tokens'],
      ['page_size=abc', 'strconv.Atoi: parsing "abc": invalid syntax'],
      ['credentials_identifier=a@b.c&ids=00000000-0000-4000-8000-000000000000', 'You cannot combine multiple filters in this API'],
    ];
    for (const [query, reason] of cases) {
      const res = await fetch(`${kratos.url}/admin/identities?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toEqual({
        error: { code: 400, status: 'Bad Request', reason, message: 'The request was malformed or contained invalid parameters' },
      });
    }
  });
});

describe('GET /admin/identities/{id}', () => {
  it('returns the identity with credentials metadata, and the hash only with include_credential', async () => {
    const [identity] = makeIdentities(1, { seed: 10, hashShare: 1, legacyShare: 1 });
    kratos = await startKratosAdmin({ identities: [identity!] });
    const res = await fetch(`${kratos.url}/admin/identities/${identity!.id}`);
    const body = (await res.json()) as any;
    expect(body.metadata_admin.legacy_auth0_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(body.credentials.password).not.toHaveProperty('config');
    const declassified = (await (await fetch(`${kratos.url}/admin/identities/${identity!.id}?include_credential=password`)).json()) as any;
    expect(declassified.credentials.password.config.hashed_password).toMatch(/^\$/);
  });

  it('answers 404 in Kratos error shape', async () => {
    kratos = await startKratosAdmin();
    for (const id of ['7c9e6679-7425-40de-944b-e07fc1f90ae7', 'not-a-uuid']) {
      const res = await fetch(`${kratos.url}/admin/identities/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: { code: 404, status: 'Not Found', message: 'Unable to locate the resource' } });
    }
  });
});

describe('routing and auth', () => {
  it("answers unknown routes like Go's router", async () => {
    kratos = await startKratosAdmin();
    const res = await fetch(`${kratos.url}/admin/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found\n');
    expect((await fetch(`${kratos.url}/admin/identities`, { method: 'PUT' })).status).toBe(405);
  });

  it('requires the bearer API key when configured', async () => {
    kratos = await startKratosAdmin({ apiKey: 'ory_pat_test' });
    const denied = await fetch(`${kratos.url}/admin/identities`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as any).error.code).toBe(401);
    const ok = await fetch(`${kratos.url}/admin/identities`, { headers: { authorization: 'Bearer ory_pat_test' } });
    expect(ok.status).toBe(200);
  });

  it('records calls', async () => {
    kratos = await startKratosAdmin();
    await (await fetch(`${kratos.url}/admin/identities?page_size=5`)).text();
    expect(kratos.calls).toEqual([expect.objectContaining({ method: 'GET', path: '/admin/identities', query: { page_size: '5' }, status: 200 })]);
  });
});
