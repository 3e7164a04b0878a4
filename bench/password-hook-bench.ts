// `npm run bench:password-hook`: what Kratos waits for when it calls the
// password migration hook. Starts the Auth0 stand-in (dev/auth0-api, rate
// limits off) and the gateway under wrangler dev, then, alternating, asks
// the stand-in's /oauth/token directly (the password-realm grant, as the
// gateway would) and through the hook (POST /_switchback/hooks/password-migration,
// each call another user and another client address, so no limit is hit).
// Prints p50/p90/p99/max of both and the gateway's added cost per call (the
// hook's percentile minus the direct one), and the floor of any request
// through wrangler dev (GET /_switchback/health) to read it against. PASSWORD_HOOK_BENCH_CALLS sets
// the number of timed calls of each kind (default 300, after 30 warm-up).
import { startStack } from '../dev/stack.ts';
import { getFreePort } from '../dev/free-port.ts';
import { startAuth0Api } from '../dev/auth0-api/index.ts';
import { PASSWORD_REALM_GRANT } from '../dev/auth0-api/password-realm.ts';
import { machineInfo } from './machine-info.ts';

const HOOK_KEY = 'bench-password-hook-key-0123456789abcdefgh';
const CLIENT = { client_id: 'switchback-password-hook', client_secret: 'bench-hook-client-secret', grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true };
const WARMUP = 30;

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

async function main(): Promise<void> {
  const n = calls();
  const total = n + WARMUP;
  const machine = machineInfo();
  console.log(`password-hook bench: ${n} timed calls each (+${WARMUP} warm-up), ${machine.cpus} CPU (${machine.cpuModel}), ${machine.os}, node ${machine.node}, wrangler ${machine.wrangler}, load ${machine.loadAverageAtStart.join(' ')}`);
  const users = Array.from({ length: total }, (_, i) => ({ email: `bench-${i}@example.com`, password: `bench-pass-${i}` }));
  const auth0 = await startAuth0Api({ rateLimit: false, tokenRateLimit: false, clients: [CLIENT], users });
  const gatewayPort = await getFreePort();
  const stack = await startStack({
    gatewayPort,
    extraVars: {
      PASSWORD_HOOK_API_KEY: HOOK_KEY,
      PASSWORD_HOOK_AUTH0_TOKEN_URL: `${auth0.url}/oauth/token`,
      PASSWORD_HOOK_AUTH0_CLIENT_ID: CLIENT.client_id,
      PASSWORD_HOOK_AUTH0_CLIENT_SECRET: CLIENT.client_secret,
    },
  });
  const hookUrl = `${stack.gatewayUrl}/_switchback/hooks/password-migration`;
  const direct: number[] = [];
  const hook: number[] = [];
  const health: number[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const u = users[i]!;
      const address = `10.${(i >> 8) & 255}.${i & 255}.7`;
      const d = await timed(
        () =>
          fetch(`${auth0.url}/oauth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-forwarded-for': address },
            body: new URLSearchParams({ grant_type: PASSWORD_REALM_GRANT, client_id: CLIENT.client_id, client_secret: CLIENT.client_secret, username: u.email, password: u.password, realm: 'Username-Password-Authentication', scope: 'openid' }),
          }),
        200,
      );
      const h = await timed(
        () => fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${HOOK_KEY}` }, body: JSON.stringify({ identifier: u.email, password: u.password, client_ip: address }) }),
        200,
      );
      // The floor of any request through wrangler dev on this machine: what is not the hook's own work.
      const f = await timed(() => fetch(`${stack.gatewayUrl}/_switchback/health`), 200);
      if (i >= WARMUP) {
        direct.push(d);
        hook.push(h);
        health.push(f);
      }
    }
  } finally {
    await stack.stop();
    await auth0.stop();
  }
  direct.sort((a, b) => a - b);
  hook.sort((a, b) => a - b);
  health.sort((a, b) => a - b);
  console.log('\n| | p50 | p90 | p99 | max |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, xs] of [['Auth0 stand-in /oauth/token, direct', direct], ['hook through the gateway (wrangler dev)', hook], ['gateway GET /_switchback/health (wrangler dev floor)', health]] as const) {
    console.log(`| ${name} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 90))} | ${fmt(pct(xs, 99))} | ${fmt(xs.at(-1)!)} |`);
  }
  console.log(`| gateway's added cost (hook − direct) | ${fmt(pct(hook, 50) - pct(direct, 50))} | ${fmt(pct(hook, 90) - pct(direct, 90))} | ${fmt(pct(hook, 99) - pct(direct, 99))} | |`);
  console.log(`| of which the hook's own work (hook − direct − floor) | ${fmt(pct(hook, 50) - pct(direct, 50) - pct(health, 50))} | | | |`);
  console.log(`\nevery call answered 200 {"status":"password_match"}; ${auth0.passwordAttempts.filter((a) => a.forwarded).length} of ${auth0.passwordAttempts.length} password grants carried the client address (auth0-forwarded-for)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
