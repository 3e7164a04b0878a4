// `npm run drill`: the failure drill `npm start` prints. Against the local
// stack it routes logins to Olympus, makes the Olympus stand-in refuse every
// login, has 8 clients (distinct cf-connecting-ip addresses, as 8 people
// behind Cloudflare would be) fail 2 logins each, and watches
// /_switchback/api/status until the controller rolls back by itself under the
// demo rules (dev/demo-rules.ts). The stand-in is healthy again afterwards.
// Exit 0: rolled back; 1: it did not within --timeout seconds.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminApi, okJson, readStatus, type GatewayStatus } from './cli/admin-api.ts';
import { TinyBrowser, type TinyRequestInit } from '../dev/tiny-browser.ts';
import { DEMO_LOGIN_RULE } from '../dev/demo-rules.ts';

const HELP = `npm run drill -- [--gateway URL] [--token TOKEN] [--olympus URL] [--clients N] [--timeout SECONDS]

  --gateway   the gateway (default $SWITCHBACK_URL, else http://127.0.0.1:8787)
  --token     an eng-lead admin token (default $SWITCHBACK_ADMIN_TOKEN; npm start prints one)
  --olympus   the Olympus stand-in (default http://127.0.0.1:8792)
  --clients   distinct client addresses failing 2 logins each (default 8)
  --timeout   how long to wait for the rollback (default 30)`;

const { values: opts } = parseArgs({
  options: {
    gateway: { type: 'string', default: process.env.SWITCHBACK_URL ?? 'http://127.0.0.1:8787' },
    token: { type: 'string', default: process.env.SWITCHBACK_ADMIN_TOKEN },
    olympus: { type: 'string', default: 'http://127.0.0.1:8792' },
    clients: { type: 'string', default: '8' },
    timeout: { type: 'string', default: '30' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
if (!opts.token) {
  console.error(`drill: an admin token is needed (--token or SWITCHBACK_ADMIN_TOKEN; npm start prints one)\n\n${HELP}`);
  process.exit(2);
}
const gateway = opts.gateway.replace(/\/$/, '');
const olympus = opts.olympus.replace(/\/$/, '');
const clients = Number(opts.clients);
const timeoutMs = Number(opts.timeout) * 1000;
const api = adminApi(gateway, opts.token);

/** A browser with its own client address, as the gateway sees it behind Cloudflare. */
class Client extends TinyBrowser {
  constructor(readonly ip: string) {
    super(`switchback-drill/1 (${ip})`);
  }
  override request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { 'cf-connecting-ip': this.ip, ...init.headers } });
  }
}

async function setFailLogins(failLogins: boolean): Promise<void> {
  const res = await fetch(`${olympus}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins }) });
  if (res.status !== 200) throw new Error(`Olympus stand-in ${olympus}/_control/mode answered ${res.status}: ${await res.text()}`);
}

const loginRule = (s: GatewayStatus) => s.rules.find((r) => r.rule === DEMO_LOGIN_RULE);
function describeRule(s: GatewayStatus): string {
  const r = loginRule(s);
  if (!r) return `(no rule "${DEMO_LOGIN_RULE}": is ROLLBACK_RULES set to something else?)`;
  const value = typeof r.value === 'number' ? `${(r.value * 100).toFixed(0)}%` : 'n/a';
  return `${r.rule}: ${r.verdict}, success ${value}, ${r.samples} samples from ${r.clients} clients, streak ${r.streak}/${r.consecutive}`;
}

const before = await readStatus(api);
if (!before.flag.enabled) {
  await okJson('POST /flags/olympus_auth', api.flags.olympus_auth.$post({ json: { enabled: true } }));
  console.log('drill: logins now go to Olympus (flag olympus_auth enabled)');
}
await setFailLogins(true);
console.log(`drill: the Olympus stand-in now refuses every login; ${clients} clients try twice each ...`);
let rolledBack: GatewayStatus | undefined;
try {
  const attempts = await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const client = new Client(`100.64.0.${i + 1}`);
      const statuses: number[] = [];
      for (let k = 0; k < 2; k++) statuses.push((await client.navigate(`${gateway}/login?returnTo=%2F`)).status);
      return statuses;
    }),
  );
  console.log(`drill: ${attempts.flat().length} logins failed (HTTP ${[...new Set(attempts.flat())].join(', ')}); watching ${gateway}/_switchback/api/status`);
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const status = await readStatus(api);
    const line = describeRule(status);
    if (line !== last) console.log(`  ${line}`);
    last = line;
    if (!status.flag.enabled) {
      rolledBack = status;
      break;
    }
    await sleep(500);
  }
} finally {
  await setFailLogins(false);
}
if (!rolledBack) {
  console.error(`drill: no rollback within ${timeoutMs / 1000} s (the flag is still on). With rules other than the demo's, more clients or samples may be needed.`);
  process.exit(1);
}
console.log(`drill: ROLLED BACK by ${rolledBack.flag.updated_by} at ${rolledBack.flag.rollback_at}: new logins go to Auth0 again. The Olympus stand-in is healthy again.`);
