// Raw HTTP helpers for the Auth0 stand-in contract tests: get a Management API
// token, call an endpoint, and build a users-import multipart form. Kept raw
// (plain fetch) on purpose, so the tests see exactly what a client would.
import { DEFAULT_AUTH0_CLIENT, type Auth0ApiHandle } from '../../../dev/auth0-api/index.ts';

export async function getToken(api: Auth0ApiHandle, client = DEFAULT_AUTH0_CLIENT): Promise<string> {
  const res = await fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, audience: api.audience }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function mgmt(api: Auth0ApiHandle, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return fetch(`${api.managementUrl}${path}`, init);
}

export function importForm(users: unknown, connectionId: string, extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  const text = typeof users === 'string' ? users : JSON.stringify(users);
  form.set('users', new Blob([text], { type: 'application/json' }), 'users.json');
  form.set('connection_id', connectionId);
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  return form;
}

/** Polls GET /jobs/{id} until the status is final. */
export async function waitForJob(api: Auth0ApiHandle, token: string, id: string, timeoutMs = 5_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await mgmt(api, token, 'GET', `/jobs/${id}`)).json()) as Record<string, unknown>;
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${String(job.status)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
