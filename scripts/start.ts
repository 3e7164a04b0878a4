// `npm start`: the whole switchback setup on this machine, no accounts needed.
// Gateway variables come from the environment under their documented names
// (docs/configuration.md), SWITCHBACK_VAR_<NAME> (alias) or a .dev.vars/.env
// file (dev/dev-vars.ts); `npm start -- --help` lists them all.
import { parseArgs } from 'node:util';
import { DEFAULT_OLYMPUS_USERS, type SeedUser } from '../dev/idp/index.ts';
import { LEGACY_KINDS, LEGACY_LABELS, LEGACY_USERS } from '../dev/legacy-idp.ts';
import { REPO_ROOT, StackConfigError, startStack, type Stack } from '../dev/stack.ts';
import { documentedVars } from '../dev/config-vars.ts';
import { collectDevVars, DEFAULT_VAR_FILES, VAR_ALIAS_PREFIX } from '../dev/dev-vars.ts';
import { DEMO_ROLLBACK_RULES } from '../dev/demo-rules.ts';
import { assertPortFree } from '../dev/free-port.ts';

/** The local ports: environment variable, flag, default. */
const PORTS = [
  { key: 'gateway', label: 'gateway', env: 'GATEWAY_PORT', flag: '--port', fallback: 8787 },
  { key: 'origin', label: 'origin', env: 'ORIGIN_PORT', flag: '--origin-port', fallback: 8790 },
  { key: 'auth0', label: 'auth0', env: 'AUTH0_PORT', flag: '--auth0-port', fallback: 8791 },
  { key: 'olympus', label: 'olympus', env: 'OLYMPUS_PORT', flag: '--olympus-port', fallback: 8792 },
  { key: 'auth0Api', label: 'Auth0 Management API', env: 'AUTH0_API_PORT', flag: '--auth0-api-port', fallback: 8793 },
  { key: 'kratosAdmin', label: 'Kratos admin API', env: 'KRATOS_ADMIN_PORT', flag: '--kratos-admin-port', fallback: 8794 },
  { key: 'mail', label: 'mail catcher', env: 'MAIL_PORT', flag: '--mail-port', fallback: 8795 },
] as const;
type PortFlag = 'port' | 'origin-port' | 'auth0-port' | 'olympus-port' | 'auth0-api-port' | 'kratos-admin-port' | 'mail-port';

function help(): string {
  const vars = documentedVars();
  const width = Math.max(...vars.map((v) => v.name.length)) + 2;
  const sections = [...new Set(vars.map((v) => v.section))];
  const list = sections
    .map((s) => `  ${s}\n${vars.filter((v) => v.section === s).map((v) => `    ${v.name.padEnd(width)}${v.default ? `[${v.default}] ` : ''}${v.summary}`).join('\n')}`)
    .join('\n\n');
  return `npm start [-- options]: the gateway, a stand-in of the legacy provider (Auth0 unless --legacy: login
+ Management API), an Olympus stand-in (Hydra-like login + Kratos admin API), a mail catcher and a demo app
on this machine.

Options:
  --legacy KIND          the legacy provider's kind and stand-in: ${LEGACY_KINDS.join(', ')} (default auth0; or LEGACY_PROVIDER)
  --env-file PATH        read gateway variables from PATH instead of ${DEFAULT_VAR_FILES.join(' / ')} in the repo root
${PORTS.map((p) => `  ${`${p.flag} N`.padEnd(23)}${p.label} port (or ${p.env}; default ${p.fallback})`).join('\n')}
  --reconcile-job        configure the gateway's own reconcile job (started by a rollback: creates the
                         Olympus signups at the Auth0 stand-in and emails each a reset link; it runs
                         before npm run reconcile could carry their password hash: off by default)
  --mirror               run switchback mirror too: every Olympus signup reaches the legacy stand-in
                         within seconds (with its hash where the kind takes one), /status.mirror shows it
  -h, --help             this text

Gateway variables, highest precedence first: ${VAR_ALIAS_PREFIX}<NAME> in the environment
(the old alias), <NAME> in the environment, then the first of ${DEFAULT_VAR_FILES.join(' / ')} in the
repo root that exists (KEY=value lines; quote JSON with single quotes). Only the names
below are read. Unset ones keep the local stack's values (generated secrets, stand-in
URLs) or the worker's defaults; npm start runs demo rollback rules (faster than
production) unless ROLLBACK_RULES is set. Reference: docs/configuration.md.

${list}
`;
}

function readArgs() {
  try {
    return parseArgs({
      options: {
        help: { type: 'boolean', short: 'h' },
        'env-file': { type: 'string' },
        legacy: { type: 'string' },
        port: { type: 'string' },
        'origin-port': { type: 'string' },
        'auth0-port': { type: 'string' },
        'olympus-port': { type: 'string' },
        'auth0-api-port': { type: 'string' },
        'kratos-admin-port': { type: 'string' },
        'mail-port': { type: 'string' },
        'reconcile-job': { type: 'boolean' },
        mirror: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    console.error(`switchback: ${(err as Error).message}\n(npm start -- --help lists the options)`);
    process.exit(2);
  }
}
const args = readArgs();
if (args.help) {
  console.log(help());
  process.exit(0);
}

function port(p: (typeof PORTS)[number]): number {
  const fromFlag = args[p.flag.slice(2) as PortFlag];
  const raw = fromFlag ?? process.env[p.env];
  if (raw === undefined || raw === '') return p.fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`switchback: ${fromFlag !== undefined ? p.flag : p.env} must be a port number, got "${raw}"`);
    process.exit(1);
  }
  return n;
}

function usersLine(users: SeedUser[]): string {
  return users.map((u) => `${u.email} / ${u.password}  (sub ${u.sub})`).join('\n      ');
}

function storySteps(stack: Stack, flag: (enabled: boolean) => string, statusCurl: string, reconcileJob: boolean): string {
  // The legacy provider the story rolls back to: `npm run reconcile` and the gateway's job (--reconcile-job)
  // write to the legacy kind's target (src/reconcile/targets.ts).
  const legacy = LEGACY_LABELS[stack.legacyKind];
  const cliToLegacy = stack.legacyKind !== 'auth0';
  const cliEnv = cliToLegacy ? { LEGACY_PROVIDER: stack.legacyKind, KRATOS_ADMIN_URL: stack.reconcileEnv.KRATOS_ADMIN_URL!, ...stack.legacyAdmin?.vars } : stack.reconcileEnv;
  const env = Object.entries(cliEnv).map(([k, v]) => `${k}=${v}`).join(' \\\n      ');
  const cli = `${env} \\
      npm run reconcile -- --report ${stack.workDir}/reconcile-report.json --checkpoint ${stack.workDir}/reconcile.checkpoint.json`;
  // What the reconcile does with a password, per kind (the README's per-kind reconcile table).
  const how = {
    auth0: reconcileJob
      ? 'It never sees a password hash: it creates the user with an unusable password and Auth0 emails a reset link.'
      : 'With the password hash (import jobs), so the same password works at Auth0.',
    cognito: 'Cognito takes no password hash: each user gets a password nobody knows and Cognito sends a reset code (password_reason: hash_not_accepted_by_cognito).',
    clerk: 'With the password hash as a Clerk password_digest where it converts (bcrypt, pbkdf2); others are needs_reset: Clerk has no API that sends a reset email.',
  }[stack.legacyKind];
  const ending = reconcileJob
    ? `   5. Watch the gateway's reconcile job (--reconcile-job) bring them to ${legacy}: "reconcile_job" in the
      status above. ${how}
   6. The emails are in the mail catcher (${stack.mail.url}/); sign in at ${stack.gatewayUrl}/login (now ${legacy}).`
    : `   5. Watch the reconcile bring them to ${legacy} (run from the Olympus side). ${how}
      ${cli}
      (Or start with npm start -- --reconcile-job: the gateway's own job does it at the rollback, without the hash.)
   6. Sign in at ${stack.gatewayUrl}/login (now ${legacy}); the reset emails and codes are in the mail catcher
      (${stack.mail.url}/), and the report says per user whether the password came along.`;
  return `  The story: nobody who signs up in Olympus is left behind by a rollback.
   1. Route logins to Olympus:
      ${flag(true)}
   2. Sign up as a new person: ${stack.gatewayUrl}/signup ("Create an account" on the Olympus page).
      Olympus (the Kratos stand-in) keeps the identity and its password hash
      (${stack.kratosAdmin.url}/admin/identities?include_credential=password) and calls the
      gateway's registration hook, as Kratos' after-registration web hook does.
   3. See who a rollback would strand ("stranded_if_rolled_back_now": 1):
      ${statusCurl}
   4. Roll back to ${legacy}:
      ${flag(false)}
${ending}
   7. Every email and on-call notification of the way: ${stack.mail.url}/
`;
}

function banner(stack: Stack, demoRules: boolean, reconcileJob: boolean): string {
  const flag = (enabled: boolean) =>
    `curl -X POST -H "Authorization: Bearer ${stack.adminToken}" -H 'content-type: application/json' ${stack.gatewayUrl}/_switchback/api/flags/olympus_auth -d '{"enabled": ${enabled}}'`;
  const drillEnv = `SWITCHBACK_URL=${stack.gatewayUrl} SWITCHBACK_ADMIN_TOKEN=${stack.adminToken}`;
  const statusCurl = `curl -H "Authorization: Bearer ${stack.adminToken}" ${stack.gatewayUrl}/_switchback/api/status`;
  return `
  switchback is running (local stand-ins, no accounts needed)

  Open:  ${stack.gatewayUrl}/            (the app, behind sign-in)
         ${stack.gatewayUrl}/_switchback  (what this is, links)
         ${stack.gatewayUrl}/_switchback/console  (operator console; sign in with a token below)
         ${stack.mail.url}/        (mail catcher: every email and notification)

  Console / admin API tokens:
      eng-lead  ${stack.adminToken}
      oncall    ${stack.oncallToken}
      viewer    ${stack.viewerToken}   (read-only: no buttons)

  ${`${LEGACY_LABELS[stack.legacyKind]} (local stand-in)  `.padEnd(26)}${stack.auth0.issuer}
      ${usersLine(LEGACY_USERS[stack.legacyKind])}
      Management API        ${stack.auth0Api.managementUrl}  (the same users${stack.legacyKind === 'auth0' ? '' : '; the Auth0 reconcile target, not the legacy kind'})
  Olympus (local stand-in)  ${stack.olympus.issuer}
      ${usersLine(DEFAULT_OLYMPUS_USERS)}
      Kratos admin API      ${stack.kratosAdmin.url}  (the same identities)
  Demo origin               ${stack.originUrl}

${storySteps(stack, flag, statusCurl, reconcileJob)}${stack.mirror ? `
  Mirror (--mirror): switchback mirror sweeps Olympus every 3 s and writes each signup to
  ${LEGACY_LABELS[stack.legacyKind]} as it happens (nobody stranded at any moment): "mirror" in the status above, and
  "stranded_if_rolled_back_now" counts only the signups it has not written yet.
` : ''}
  Failure drill (the controller rolls back by itself):
    ${drillEnv} npm run drill -- --olympus ${stack.olympus.url}
  It turns Olympus on, makes the Olympus stand-in refuse every login
  (POST ${stack.olympus.url}/_control/mode {"failLogins": true}), has 8 clients
  (distinct cf-connecting-ip addresses) fail 2 logins each, and waits for the rollback.
  ${demoRules ? 'Demo rules: faster than production (evaluated every 1 s, a 1 min window that needs 10 samples from 5 clients before the sequential test may decide); set ROLLBACK_RULES to try your own.' : 'Rules: your ROLLBACK_RULES (the drill may need more clients to reach their minimums).'}
  Watch it in the console (${stack.gatewayUrl}/_switchback/console) or:
    ${statusCurl}

  Ctrl-C to stop.
`;
}

let taken;
try {
  taken = collectDevVars({ env: process.env, known: new Set(documentedVars().map((v) => v.name)), root: REPO_ROOT, file: args['env-file'] });
} catch (err) {
  console.error(`switchback: ${(err as Error).message}`);
  process.exit(1);
}
const demoRules = taken.vars.ROLLBACK_RULES === undefined;
const extraVars = demoRules ? { ROLLBACK_RULES: DEMO_ROLLBACK_RULES, ...taken.vars } : taken.vars;
if (taken.ignored.length) console.log(`  ignored (not documented gateway variables): ${taken.ignored.join(', ')}`);

const legacy = args.legacy ?? taken.vars.LEGACY_PROVIDER ?? 'auth0';
if (!(LEGACY_KINDS as readonly string[]).includes(legacy)) {
  console.error(`switchback: --legacy must be one of ${LEGACY_KINDS.join(', ')}, got "${legacy}"`);
  process.exit(2);
}

const ports = Object.fromEntries(PORTS.map((p) => [p.key, port(p)])) as Record<(typeof PORTS)[number]['key'], number>;
for (const p of PORTS) {
  try {
    if (ports[p.key] !== 0) await assertPortFree(ports[p.key], p.label);
  } catch (err) {
    console.error(`switchback: ${(err as Error).message}. Pick another with ${p.env}=<port> or npm start -- ${p.flag} <port>.`);
    process.exit(1);
  }
}

let stack: Stack;
try {
  stack = await startStack({
    gatewayPort: ports.gateway,
    originPort: ports.origin,
    auth0Port: ports.auth0,
    olympusPort: ports.olympus,
    auth0ApiPort: ports.auth0Api,
    kratosAdminPort: ports.kratosAdmin,
    mailPort: ports.mail,
    reconcileJob: args['reconcile-job'] === true,
    mirror: args.mirror === true,
    extraVars,
    legacy: legacy as (typeof LEGACY_KINDS)[number],
    echoGatewayOutput: true,
  });
} catch (err) {
  if (err instanceof StackConfigError) {
    const variable = /misconfigured: ([A-Z0-9_]+)/.exec(err.message)?.[1];
    const from = variable ? taken.sources[variable] : undefined;
    console.error(err.message); // exactly what the worker would answer with
    if (from) console.error(`  (${variable} was read from ${from})`);
  } else {
    console.error(`switchback: failed to start: ${(err as Error).message}`);
  }
  process.exit(1);
}

const sources = Object.entries(taken.sources);
if (sources.length) console.log(`  variables from your configuration: ${sources.map(([name, from]) => `${name} (${from})`).join(', ')}`);
console.log(banner(stack, demoRules, args['reconcile-job'] === true));

let shuttingDown = false;
process.on('SIGINT', () => (shuttingDown = true));
process.on('SIGTERM', () => (shuttingDown = true));
const why = await stack.gatewayExited;
if (shuttingDown) await new Promise(() => {}); // dev/cleanup.ts finishes and exits
console.error(`switchback: the gateway stopped unexpectedly: ${why}`);
await stack.stop();
process.exit(1);
