// `npm run bench:password-hook -- --kind auth0|cognito|clerk`: what Kratos
// waits for when it calls the password migration hook, for each legacy kind.
// Starts that kind's admin API stand-in (dev/auth0-api, dev/cognito-api,
// dev/clerk-api; rate limits and quotas off, so the bench measures latency,
// not throttling) and the gateway under wrangler dev with LEGACY_PROVIDER set
// to the kind, then, alternating: the kind's password check run directly
// from Node (the gateway's own module, src/password-migration/, against the
// same stand-in: the upstream's cost and the check's own work), the hook
// through the gateway (POST /_switchback/hooks/password-migration, each call
// another user and another client address, so no limit is hit), and the
// floor of any request through wrangler dev (GET /_switchback/health).
// Prints p50/p90/p99/max and the gateway's added cost per call (the hook's
// percentile minus the direct one). PASSWORD_HOOK_BENCH_CALLS sets the
// number of timed calls of each kind (default 300, after 30 warm-up).
import { parseArgs } from 'node:util';
import { startStack, type Stack } from '../dev/stack.ts';
import { getFreePort } from '../dev/free-port.ts';
import { startAuth0Api } from '../dev/auth0-api/index.ts';
import { PASSWORD_REALM_GRANT } from '../dev/auth0-api/password-realm.ts';
import { COGNITO_QUOTAS, DEFAULT_COGNITO_CREDENTIALS, seedPoolUsers, startCognitoApi, UserPool } from '../dev/cognito-api/index.ts';
import { ClerkInstance, DEFAULT_CLERK_SECRET_KEY, seedInstanceUsers, startClerkApi } from '../dev/clerk-api/index.ts';
import type { SeedUser } from '../dev/idp/users.ts';
import { parseConfig } from '../src/config.ts';
import { legacyPasswordCheck } from '../src/password-migration/legacy-password-checks.ts';
import type { LegacyKindId } from '../src/providers/kinds/kind.ts';
import { machineInfo } from './machine-info.ts';

type Kind = LegacyKindId;
const KINDS = ['auth0', 'cognito', 'clerk'] as const satisfies readonly Kind[];

const HOOK_KEY = 'bench-password-hook-key-0123456789abcdefgh';
const AUTH0_CLIENT = { client_id: 'switchback-password-hook', client_secret: 'bench-hook-client-secret', grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true };
const COGNITO_CLIENT = { clientId: 'benchpasswordhook0000000001', clientSecret: 'bench-cognito-client-secret' };
const POOL_ID = 'us-east-1_SwItChBk1';
const WARMUP = 30;

/** The kind's admin API stand-in and the gateway variables pointing the hook at it. */
interface Upstream {
  label: string;
  vars: Record<string, string>;
  stop(): Promise<void>;
  /** A line about what the stand-in saw, after the run. */
  summary(): string;
}

async function upstream(kind: Kind, users: SeedUser[]): Promise<Upstream> {
  switch (kind) {
    case 'auth0': {
      const auth0 = await startAuth0Api({ rateLimit: false, tokenRateLimit: false, clients: [AUTH0_CLIENT], users: users.map((u) => ({ email: u.email, password: u.password })) });
      return {
        label: 'Auth0 stand-in /oauth/token (password-realm grant)',
        vars: { PASSWORD_HOOK_AUTH0_TOKEN_URL: `${auth0.url}/oauth/token`, PASSWORD_HOOK_AUTH0_CLIENT_ID: AUTH0_CLIENT.client_id, PASSWORD_HOOK_AUTH0_CLIENT_SECRET: AUTH0_CLIENT.client_secret },
        stop: auth0.stop,
        summary: () => `${auth0.passwordAttempts.filter((a) => a.forwarded).length} of ${auth0.passwordAttempts.length} password grants carried the client address (auth0-forwarded-for)`,
      };
    }
    case 'cognito': {
      const pool = new UserPool(POOL_ID);
      seedPoolUsers(pool, users);
      const quotas = Object.fromEntries(Object.keys(COGNITO_QUOTAS).map((k) => [k, 1_000_000]));
      const cognito = await startCognitoApi({ pool, region: 'us-east-1', userPoolId: POOL_ID, clients: [{ ...COGNITO_CLIENT, adminUserPasswordAuth: true }], quotas });
      return {
        label: 'Cognito stand-in AdminInitiateAuth (SigV4)',
        vars: {
          COGNITO_USER_POOL_ID: POOL_ID,
          COGNITO_ADMIN_ENDPOINT: cognito.endpoint,
          COGNITO_ACCESS_KEY_ID: DEFAULT_COGNITO_CREDENTIALS.accessKeyId,
          COGNITO_SECRET_ACCESS_KEY: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey,
          PASSWORD_HOOK_COGNITO_CLIENT_ID: COGNITO_CLIENT.clientId,
          PASSWORD_HOOK_COGNITO_CLIENT_SECRET: COGNITO_CLIENT.clientSecret,
        },
        stop: cognito.stop,
        summary: () => `the pool holds ${pool.users.size} users`,
      };
    }
    case 'clerk': {
      const instance = new ClerkInstance();
      seedInstanceUsers(instance, users);
      const clerk = await startClerkApi({ instance, rateLimit: { limit: 1_000_000, perSeconds: 1, retryAfter: true } });
      return {
        label: 'Clerk stand-in GET /v1/users + verify_password',
        vars: { CLERK_SECRET_KEY: DEFAULT_CLERK_SECRET_KEY, CLERK_API_URL: clerk.url },
        stop: clerk.stop,
        summary: () => `the instance holds ${instance.users.size} users`,
      };
    }
  }
}

function kindArg(): Kind {
  const { values } = parseArgs({ options: { kind: { type: 'string', default: 'auth0' } }, allowPositionals: false });
  const k = values.kind;
  if (!(KINDS as readonly string[]).includes(k)) throw new Error(`--kind must be one of ${KINDS.join(', ')}, got "${k}"`);
  return k as Kind;
}

function calls(): number {
  const raw = process.env.PASSWORD_HOOK_BENCH_CALLS;
  if (raw === undefined || raw === '') return 300;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 10 || n > 5000) throw new Error(`PASSWORD_HOOK_BENCH_CALLS must be a whole number from 10 to 5000, got "${raw}"`);
  return n;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function timed(run: () => Promise<Response>, expect: number): Promise<number> {
  const t0 = performance.now();
  const res = await run();
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== expect) throw new Error(`expected ${expect}, got ${res.status}`);
  return ms;
}

/** The kind's check as the gateway runs it, from the gateway's own variables, run in Node: the "direct" row. */
function directCheck(stack: Stack) {
  const options = parseConfig(stack.vars).passwordMigration;
  if (!options) throw new Error('the gateway has no password migration hook configured');
  return legacyPasswordCheck({ ...options, forwardClientIp: true });
}

async function main(): Promise<void> {
  const kind = kindArg();
  const n = calls();
  const total = n + WARMUP;
  const machine = machineInfo();
  console.log(`password-hook bench (--kind ${kind}): ${n} timed calls each (+${WARMUP} warm-up), ${machine.cpus} CPU (${machine.cpuModel}), ${machine.os}, node ${machine.node}, wrangler ${machine.wrangler}, load ${machine.loadAverageAtStart.join(' ')}`);
  const users: SeedUser[] = Array.from({ length: total }, (_, i) => ({ sub: `bench-${i}`, email: `bench-${i}@example.com`, password: `bench-pass-${i}-Aa1!`, given_name: 'Bench', family_name: `User${i}` }));
  const up = await upstream(kind, users);
  let stack: Stack | undefined;
  const direct: number[] = [];
  const hook: number[] = [];
  const health: number[] = [];
  try {
    stack = await startStack({ gatewayPort: await getFreePort(), legacy: kind, extraVars: { PASSWORD_HOOK_API_KEY: HOOK_KEY, ...up.vars } });
    const check = directCheck(stack);
    const gatewayUrl = stack.gatewayUrl;
    const hookUrl = `${gatewayUrl}/_switchback/hooks/password-migration`;
    for (let i = 0; i < total; i++) {
      const u = users[i]!;
      const address = `10.${(i >> 8) & 255}.${i & 255}.7`;
      const t0 = performance.now();
      const r = await check.check(u.email, u.password, address, Date.now() + 10_000);
      const d = performance.now() - t0;
      if (r.outcome !== 'match') throw new Error(`direct ${kind} check of ${u.email}: ${r.outcome} (${r.reason})`);
      const h = await timed(
        () => fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${HOOK_KEY}` }, body: JSON.stringify({ identifier: u.email, password: u.password, client_ip: address }) }),
        200,
      );
      // The floor of any request through wrangler dev on this machine: what is not the hook's own work.
      const f = await timed(() => fetch(`${gatewayUrl}/_switchback/health`), 200);
      if (i >= WARMUP) {
        direct.push(d);
        hook.push(h);
        health.push(f);
      }
    }
  } finally {
    await stack?.stop();
    await up.stop();
  }
  direct.sort((a, b) => a - b);
  hook.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  console.log('\n| | p50 | p90 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, xs] of [[`${up.label}, the check run directly from Node`, direct], ['hook through the gateway (wrangler dev)', hook], ['gateway GET /_switchback/health (wrangler dev floor)', health]] as const) {
    console.log(`| ${name} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 90))} | ${fmt(pct(xs, 99))} | ${fmt(xs.at(-1)!)} |`);
  }
  console.log(`| gateway's added cost (hook − direct) | ${fmt(pct(hook, 50) - pct(direct, 50))} | ${fmt(pct(hook, 90) - pct(direct, 90))} | ${fmt(pct(hook, 99) - pct(direct, 99))} | |`);
  console.log(`| of which the hook's own work (hook − direct − floor) | ${fmt(pct(hook, 50) - pct(direct, 50) - pct(health, 50))} | | | |`);
  console.log(`\nevery call answered 200 {"status":"password_match"}; ${up.summary()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
