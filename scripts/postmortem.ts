// `switchback postmortem [--incident <rollback seq>] --out DIR` (npm run postmortem): the
// bundle of one rollback for its postmortem, as postmortem.json and postmortem.md
// (scripts/postmortem/postmortem-bundle.ts). Exit 0: written; 1: no such incident or the
// gateway refused; 2: bad options.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { adminApi } from './cli/admin-api.ts';
import { collectBundle, markdown, PostmortemError } from './postmortem/postmortem-bundle.ts';

const HELP = `switchback postmortem [--incident SEQ] --out DIR

Writes the postmortem bundle of one rollback: the incident window's timeline (evaluations, breaches,
flips, operator actions, notifications, the reconcile's outcome), per-minute metrics of both
providers, the rules and client configuration in force, and who was affected (counts, ids only),
as DIR/postmortem.json and DIR/postmortem.md.

  --incident SEQ   the rollback's audit sequence number (GET /_switchback/api/audit, type "rollback");
                   default: the latest rollback
  --out DIR        where the files go (required)
  --gateway URL    default $SWITCHBACK_URL, else http://127.0.0.1:8787
  --token TOKEN    an oncall or eng-lead admin token (default $SWITCHBACK_ADMIN_TOKEN)`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      incident: { type: 'string' },
      out: { type: 'string' },
      gateway: { type: 'string', default: process.env.SWITCHBACK_URL ?? 'http://127.0.0.1:8787' },
      token: { type: 'string', default: process.env.SWITCHBACK_ADMIN_TOKEN },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  console.error(`postmortem: ${(err as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const usage = (m: string): never => {
  console.error(`postmortem: ${m}\n\n${HELP}`);
  process.exit(2);
};
if (!values.out) usage('--out DIR is required');
if (!values.token) usage('an admin token is needed (--token or SWITCHBACK_ADMIN_TOKEN)');
if (values.incident !== undefined && !/^\d{1,15}$/.test(values.incident)) usage('--incident must be an audit sequence number');

try {
  const bundle = await collectBundle(adminApi(values.gateway!.replace(/\/$/, ''), values.token!), { incident: values.incident === undefined ? undefined : Number(values.incident) });
  await mkdir(values.out!, { recursive: true });
  await writeFile(join(values.out!, 'postmortem.json'), `${JSON.stringify(bundle, null, 2)}\n`);
  await writeFile(join(values.out!, 'postmortem.md'), markdown(bundle));
  console.log(`postmortem: rollback ${bundle.incident.rollback_seq} at ${bundle.incident.rollback_at}: ${bundle.timeline.length} events from ${bundle.incident.window.from} to ${bundle.incident.window.to}`);
  console.log(`postmortem: wrote ${join(values.out!, 'postmortem.json')} and postmortem.md`);
} catch (err) {
  const m = (err as Error).message;
  console.error(`postmortem: ${err instanceof PostmortemError ? m : m === 'fetch failed' ? `the gateway at ${values.gateway} could not be reached (${m})` : `failed: ${m}`}`);
  process.exit(1);
}
