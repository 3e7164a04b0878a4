// `npm run drill` options: where the gateway is, who may act, which test users prove that
// sign-in works, how the failure is injected, and what "fast enough" means.
import { parseArgs } from 'node:util';

export const DRILL_HELP = `npm run drill -- [options]

A rehearsal of the rollback (the plan: pretend it succeeded, pretend it broke, roll back, verify,
compare logs, time it). Prints each step with its time, writes drill.json, drill.md and
drill.html, records the result on the gateway (GET /_switchback/api/drills) and compares it with
earlier drills. Exit 0: every criterion passed; 1: one failed (named); 2: bad options; 3: passed,
but the --record-to gateway did not record it.

  --gateway URL        the gateway (default $SWITCHBACK_URL, else http://127.0.0.1:8787)
  --token TOKEN        an eng-lead admin token (default $SWITCHBACK_ADMIN_TOKEN; npm start prints one)
  --olympus URL        the Olympus stand-in whose /_control/mode the drill switches to "deny every
                       login" (default http://127.0.0.1:8792; the embedded default's)
  --legacy-user E:P    a test user of the legacy provider, signed in after the rollback
                       (default alice@example.com:alice-pass, a stand-in user)
  --olympus-user E:P   a test user of Olympus, signed in before the failure; the session must
                       still work after the rollback (default bob@example.com:bob-pass)
  --inject HOW         how the failure is injected: stand-in (the Olympus stand-in denies every
                       login), drill-mode (a staging gateway: the controller's drill mode, enabled
                       for the drill by the eng-lead token, takes synthetic failing logins marked as
                       drill traffic and counted apart from the real ones), or auto (default:
                       stand-in when --olympus answers, else drill-mode)
  --clients N          distinct client addresses failing 2 logins each (default 8)
  --manual             roll back by hand (POST /rollback, as the rollback script does) right after
                       the failures, instead of waiting for the rules
  --target SECONDS     the rollback must happen within this many seconds of the first failing
                       login (default 60: the plan's manual runbook takes "about a minute")
  --timeout SECONDS    how long to wait for the rollback (default 120)
  --out DIR            where the reports go (default drill-reports/<time>)
  --no-record          do not store the result on the gateway
  --record-to URL      also record the result on this gateway (e.g. prod, after rehearsing on
                       staging): it is stored there as a drill from another environment, and
                       prod's re-enable gate counts it if it passed and finished after prod's rollback
  --record-token T     the admin token (oncall) for --record-to (default $SWITCHBACK_RECORD_TOKEN,
                       else --token)`;

export interface Credentials {
  email: string;
  password: string;
}

export interface DrillOptions {
  gateway: string;
  token: string;
  olympus: string;
  legacyUser: Credentials;
  olympusUser: Credentials;
  clients: number;
  inject: 'auto' | 'stand-in' | 'drill-mode';
  manual: boolean;
  targetMs: number;
  timeoutMs: number;
  out: string;
  record: boolean;
  /** Another gateway that records the result too (prod, when rehearsing on staging). */
  recordTo: { gateway: string; token: string } | undefined;
}

export class DrillUsageError extends Error {}

function credentials(flag: string, value: string): Credentials {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) throw new DrillUsageError(`${flag} must be email:password`);
  return { email: value.slice(0, i), password: value.slice(i + 1) };
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new DrillUsageError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

/** Parses argv; `help` when --help was asked. Throws DrillUsageError with a message naming the option. */
export function readDrillOptions(argv: string[], env: NodeJS.ProcessEnv, now = new Date()): DrillOptions | 'help' {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      gateway: { type: 'string', default: env.SWITCHBACK_URL ?? 'http://127.0.0.1:8787' },
      token: { type: 'string', default: env.SWITCHBACK_ADMIN_TOKEN },
      olympus: { type: 'string', default: 'http://127.0.0.1:8792' },
      'legacy-user': { type: 'string', default: 'alice@example.com:alice-pass' },
      'olympus-user': { type: 'string', default: 'bob@example.com:bob-pass' },
      clients: { type: 'string', default: '8' },
      inject: { type: 'string', default: 'auto' },
      manual: { type: 'boolean', default: false },
      target: { type: 'string', default: '60' },
      timeout: { type: 'string', default: '120' },
      out: { type: 'string' },
      'no-record': { type: 'boolean', default: false },
      'record-to': { type: 'string' },
      'record-token': { type: 'string', default: env.SWITCHBACK_RECORD_TOKEN },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help) return 'help';
  if (!o.token) throw new DrillUsageError('an admin token is needed (--token or SWITCHBACK_ADMIN_TOKEN; npm start prints one)');
  const clients = positive('--clients', o.clients!);
  if (!Number.isInteger(clients) || clients > 200) throw new DrillUsageError('--clients must be a whole number from 1 to 200');
  const inject = o.inject!;
  if (inject !== 'auto' && inject !== 'stand-in' && inject !== 'drill-mode') throw new DrillUsageError('--inject must be auto, stand-in or drill-mode');
  const gateway = o.gateway!.replace(/\/$/, '');
  let recordTo: DrillOptions['recordTo'];
  if (o['record-to'] !== undefined) {
    let url: URL;
    try {
      url = new URL(o['record-to']);
    } catch {
      throw new DrillUsageError(`--record-to must be a gateway URL, got "${o['record-to']}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DrillUsageError('--record-to must be an http(s) gateway URL');
    if (url.origin === new URL(gateway).origin) throw new DrillUsageError('--record-to names the drilled gateway itself: the result is recorded there already');
    recordTo = { gateway: url.origin, token: o['record-token'] ?? o.token };
  }
  return {
    gateway,
    token: o.token,
    olympus: o.olympus!.replace(/\/$/, ''),
    legacyUser: credentials('--legacy-user', o['legacy-user']!),
    olympusUser: credentials('--olympus-user', o['olympus-user']!),
    clients,
    inject,
    manual: o.manual!,
    targetMs: positive('--target', o.target!) * 1000,
    timeoutMs: positive('--timeout', o.timeout!) * 1000,
    out: o.out ?? `drill-reports/${now.toISOString().replace(/[:.]/g, '-')}`,
    record: !o['no-record'],
    recordTo,
  };
}
