/**
 * Bad input stops the reconcile before its first write, with a message that
 * names the problem: exit 2 for usage and window errors, 1 for an unreachable
 * or refusing service. Nothing is written to Auth0 (no user, no job, no
 * email), and no checkpoint or report is left behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { getFreePort } from '../../dev/free-port.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { DEFAULT_AUTH0_CLIENT } from '../../dev/auth0-api/index.ts';
import { serveApp } from '../../dev/serve-app.ts';
import { WINDOW, runReconcile, startFixture, without, writeCalls, type CliRun, type Fixture } from './support/reconcile-harness.ts';

/** Management API applications granted less than a run needs (the stand-in lists the grant in the token's `scope`, as Auth0 does). */
const READER = { client_id: 'reader', client_secret: 'reader-secret-0123456789', scopes: ['read:users', 'create:users'] };
const NO_TICKETS = { client_id: 'no-tickets', client_secret: 'no-tickets-secret-0123456789', scopes: ['read:users', 'create:users', 'update:users', 'read:connections'] };
const asClient = (c: { client_id: string; client_secret: string }) => [...without(fx.args(), '--auth0-mgmt-client-id', '--auth0-mgmt-client-secret'), '--auth0-mgmt-client-id', c.client_id, '--auth0-mgmt-client-secret', c.client_secret];

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ identities: makeIdentities(60, { seed: 51, from: WINDOW.from, to: WINDOW.to }), auth0: { clients: [DEFAULT_AUTH0_CLIENT, READER, NO_TICKETS] } });
});
afterAll(async () => fx?.stop());

let seen = 0;
beforeEach(() => {
  seen = fx.auth0.calls.length;
});
/** What reached the Auth0 stand-in during this test. */
const newCalls = () => fx.auth0.calls.slice(seen).map((c) => `${c.method} ${c.path} ${c.status}`);

afterEach(() => {
  // Before any write: nothing reached Auth0, nothing was saved locally.
  expect(writeCalls(fx.auth0)).toEqual([]);
  expect(fx.auth0.users.size).toBe(0);
  expect(fx.auth0.emails).toEqual([]);
  expect(fx.auth0.jobs.size).toBe(0);
  expect(readdirSync(fx.dir)).toEqual([]);
});

const run = (args: string[]) => runReconcile(args, { cwd: fx.dir, timeoutMs: 30_000 });

function expectFailure(r: CliRun, code: number, message: string | RegExp) {
  expect(r.code, r.output).toBe(code);
  if (typeof message === 'string') expect(r.stderr).toContain(`reconcile: ${message}`);
  else expect(r.stderr).toMatch(message);
  // Usage errors show the usage; service errors do not drown the message in it.
  if (code === 2) expect(r.stderr).toContain('usage: switchback reconcile');
  else expect(r.stderr).not.toContain('usage:');
  expect(r.stdout).not.toContain('report:');
}

it('--to before --from: exit 2 naming both instants', async () => {
  const r = await run([...without(fx.args(), '--from', '--to'), '--from', '2026-11-03T00:00:00Z', '--to', '2026-11-01T00:00:00Z']);
  expectFailure(r, 2, '--to (2026-11-01T00:00:00.000Z) must be after --from (2026-11-03T00:00:00.000Z)');
  expect(newCalls()).toEqual([]);
});

it('a malformed date: exit 2 naming the flag and the value', async () => {
  const r = await run([...without(fx.args(), '--from'), '--from', '2026-13-45T00:00:00Z']);
  expectFailure(r, 2, '--from "2026-13-45T00:00:00Z" is not an ISO 8601 time');
  const r2 = await run([...without(fx.args(), '--to'), '--to', 'yesterday']);
  expectFailure(r2, 2, '--to "yesterday" is not an ISO 8601 time');
  expect(newCalls()).toEqual([]);
});

it('an unreachable Kratos admin URL: exit 1 naming the URL and KRATOS_ADMIN_URL, Auth0 not even contacted', async () => {
  const url = `http://127.0.0.1:${await getFreePort()}`;
  const r = await run([...without(fx.args(), '--kratos-admin-url'), '--kratos-admin-url', url]);
  expectFailure(r, 1, `Kratos admin API unreachable at ${url} (KRATOS_ADMIN_URL)`);
  expect(newCalls()).toEqual([]);
}, 30_000);

it('a URL that is not a Kratos admin API: exit 1 with the HTTP status it answered', async () => {
  const r = await run([...without(fx.args(), '--kratos-admin-url'), '--kratos-admin-url', fx.auth0.url]);
  expectFailure(r, 1, `Kratos admin API at ${fx.auth0.url} answered HTTP 404 to GET /admin/identities`);
  expect(newCalls()).toEqual(['GET /admin/identities 404']);
});

it('a wrong Auth0 client secret: exit 1 naming the credentials, without echoing the secret', async () => {
  const r = await run([...without(fx.args(), '--auth0-mgmt-client-secret'), '--auth0-mgmt-client-secret', 'not-the-secret-42']);
  expectFailure(r, 1, 'Auth0 refused the Management API credentials (AUTH0_MGMT_CLIENT_ID/AUTH0_MGMT_CLIENT_SECRET): HTTP 401 access_denied');
  expect(r.output).not.toContain('not-the-secret-42');
  expect(newCalls()).toEqual(['POST /oauth/token 401']);
});

it('an unknown Auth0 connection: exit 1 naming it and AUTH0_CONNECTION', async () => {
  const r = await run([...without(fx.args(), '--auth0-connection'), '--auth0-connection', 'No-Such-Connection']);
  expectFailure(r, 1, 'Auth0 connection "No-Such-Connection" (AUTH0_CONNECTION) does not exist');
  expect(newCalls()).toEqual(['POST /oauth/token 200', 'GET /api/v2/connections 200']);
});

it('missing required configuration: exit 2 naming the flag and its variable', async () => {
  const cases: Array<[string[], string]> = [
    [without(fx.args(), '--auth0-connection'), '--auth0-connection (or AUTH0_CONNECTION) is required'],
    [without(fx.args(), '--kratos-admin-url'), '--kratos-admin-url (or KRATOS_ADMIN_URL) is required'],
    [without(fx.args(), '--auth0-mgmt-client-secret'), '--auth0-mgmt-client-secret (or AUTH0_MGMT_CLIENT_SECRET) is required'],
    [without(fx.args(), '--auth0-mgmt-client-id'), '--auth0-mgmt-client-id (or AUTH0_MGMT_CLIENT_ID) is required'],
    [without(fx.args(), '--auth0-management-url'), '--auth0-management-url or --auth0-domain (or AUTH0_MANAGEMENT_URL/AUTH0_DOMAIN) is required'],
    [without(fx.args(), '--from'), '--from is required'],
  ];
  const runs = await Promise.all(cases.map(([args]) => run(args)));
  runs.forEach((r, k) => expectFailure(r, 2, cases[k]![1]));
  expect(newCalls()).toEqual([]);
}, 30_000);

it('bad flags: exit 2 naming the flag', async () => {
  const cases: Array<[string[], string | RegExp]> = [
    [[...fx.args(), '--page-size', '0'], '--page-size must be a whole number from 1 to 1000'],
    [[...fx.args(), '--mode', 'fast'], '--mode must be auto, single or import'],
    [[...fx.args(), '--form', WINDOW.from], /reconcile: Unknown option '--form'/],
  ];
  const runs = await Promise.all(cases.map(([args]) => run(args)));
  runs.forEach((r, k) => expectFailure(r, 2, cases[k]![1]));
  expect(newCalls()).toEqual([]);
  expect(existsSync(`${fx.dir}/checkpoint.json`)).toBe(false);
}, 30_000);

it('a --reset-client-id that is not an application enabled on the connection: stops before creating users whose reset emails would all fail', async () => {
  const r = await run([...fx.args(), '--reset-client-id', 'no-such-client']);
  expect([1, 2], r.output).toContain(r.code);
  expect(r.stderr).toMatch(/reconcile: .*--reset-client-id "no-such-client" \(or AUTH0_CLIENT_ID\)/);
});

it('a Management API application without the scopes a run uses: exit 2 naming each missing scope, before the first write', async () => {
  const r = await run(asClient(READER));
  expectFailure(r, 2, 'The Management API application (AUTH0_MGMT_CLIENT_ID) was not granted update:users, read:connections: grant them in the Auth0 Dashboard');
  expect(r.output).not.toContain(READER.client_secret);
  expect(newCalls()).toEqual(['POST /oauth/token 200']);
});

it('USER_MAIL=webhook sends password-change tickets: an application without create:user_tickets stops the run before the first write', async () => {
  const mailEnv = { USER_MAIL: 'webhook', USER_MAIL_URL: 'http://127.0.0.1:9/relay', USER_MAIL_TOKEN: 'relay-token-0123456789abcdef', STATUS_PAGE_URL: 'https://status.example.test' };
  const r = await runReconcile(asClient(NO_TICKETS), { cwd: fx.dir, timeoutMs: 30_000, env: mailEnv });
  expectFailure(r, 2, /reconcile: The Management API application \(AUTH0_MGMT_CLIENT_ID\) was not granted create:user_tickets: grant it in the Auth0 Dashboard/);
  expect(r.stderr).toContain('password-change links of USER_MAIL=webhook|ses');
});

it('undo with an application that cannot delete users: exit 2 naming delete:users, nothing deleted', async () => {
  const r = await runReconcile(['--undo', `${fx.dir}/no-report.json`, '--auth0-management-url', fx.auth0.managementUrl, '--auth0-mgmt-client-id', READER.client_id, '--auth0-mgmt-client-secret', READER.client_secret], { cwd: fx.dir, timeoutMs: 30_000 });
  expectFailure(r, 2, /reconcile: The Management API application \(AUTH0_MGMT_CLIENT_ID\) was not granted delete:users, which undo needs: nothing was deleted/);
});

it("the gateway's own reconcile job still running for this rollback: exit 2 naming it, before the first write (a user could get two reset emails)", async () => {
  // GET /_switchback/api/status as the gateway answers it (src/rollback/status-view.ts), mid-job: only the fields the command reads.
  const token = 'oncall-token-for-the-status-0123';
  const gateway = await serveApp((req) => {
    if (new URL(req.url).pathname !== '/_switchback/api/status') return new Response('{}', { status: 404 });
    if (req.headers.get('authorization') !== `Bearer ${token}`) return new Response('{"error":"unauthorized"}', { status: 401 });
    return Response.json({ migration: { started_at: WINDOW.from, rollback_at: WINDOW.to }, reconcile_job: { run_id: 'wf-rollback-7', status: 'running', done: 40, total: 120 } });
  });
  try {
    const r = await run([...without(fx.args(), '--from', '--to'), '--gateway', gateway.url, '--token', token]);
    expectFailure(r, 2, /reconcile: the gateway's own reconcile job wf-rollback-7 is running for this rollback \(40 of 120 done\).*--alongside-job/);
    expect(newCalls()).toEqual([]);
  } finally {
    await gateway.stop();
  }
});
