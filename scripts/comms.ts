// `switchback comms preview` (npm run comms -- preview): the texts for users, oncall and the
// status page, filled from the latest rollback by the gateway (src/comms/templates.ts), as a
// person reviews them before anything is sent. `switchback comms publish-status`: creates the
// rollback's Statuspage incident (once per rollback; the gateway deduplicates).
// Exit 0: done; 1: the gateway refused; 2: bad usage.
import { parseArgs } from 'node:util';
import { adminApi, okJson } from './cli/admin-api.ts';

const HELP = `switchback comms preview [--json]
switchback comms publish-status

  preview          print the user email, the oncall message and the status page incident of the
                   latest rollback (a draft: nothing is sent)
  publish-status   create that status page incident on Statuspage (oncall or eng-lead; once per rollback)
  --gateway URL    default $SWITCHBACK_URL, else http://127.0.0.1:8787
  --token TOKEN    default $SWITCHBACK_ADMIN_TOKEN`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      gateway: { type: 'string', default: process.env.SWITCHBACK_URL ?? 'http://127.0.0.1:8787' },
      token: { type: 'string', default: process.env.SWITCHBACK_ADMIN_TOKEN },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  console.error(`comms: ${(err as Error).message}\n\n${HELP}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const command = positionals[0];
if ((command !== 'preview' && command !== 'publish-status') || positionals.length !== 1 || !values.token) {
  console.error(`comms: ${values.token ? 'say preview or publish-status' : 'an admin token is needed (--token or SWITCHBACK_ADMIN_TOKEN)'}\n\n${HELP}`);
  process.exit(2);
}
const api = adminApi(values.gateway!.replace(/\/$/, ''), values.token);

try {
  if (command === 'preview') {
    const p = await okJson('GET /comms/preview', api.comms.preview.$get());
    if (values.json) console.log(JSON.stringify(p, null, 2));
    else if (!p.incident) console.log('comms: no rollback yet: nothing to tell anyone.');
    else {
      const section = (title: string, t: { subject: string; text: string } | null) => t && console.log(`==== ${title} ====\nSubject: ${t.subject}\n\n${t.text}\n`);
      console.log(`comms: rollback ${p.incident.rollback_seq} at ${p.incident.rollback_at} (a draft: nothing has been sent)\n`);
      section('User email', p.user_email);
      section('Oncall', p.oncall);
      section(`Status page incident (${p.statuspage.record ? `${p.statuspage.record.state}${p.statuspage.record.shortlink ? ` ${p.statuspage.record.shortlink}` : ''}` : p.statuspage.configured ? 'draft: switchback comms publish-status creates it' : 'Statuspage not configured'})`, p.status_page);
    }
  } else {
    const res = await api.comms.statuspage.$post();
    const text = await res.text();
    if (!res.ok) throw new Error(`POST /comms/statuspage answered ${res.status}: ${text}`);
    const r = JSON.parse(text) as { outcome: string; incident: { id?: string; shortlink?: string | null } };
    console.log(`comms: ${r.outcome === 'created' ? 'created' : 'already published'}: Statuspage incident ${r.incident.id} ${r.incident.shortlink ?? ''}`);
  }
} catch (err) {
  const m = (err as Error).message;
  console.error(`comms: ${m === 'fetch failed' ? `the gateway at ${values.gateway} could not be reached (${m})` : m}`);
  process.exit(1);
}
