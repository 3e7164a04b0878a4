// `npm start`: the whole switchback setup on this machine, no accounts needed.
// Ports: GATEWAY_PORT (8787), ORIGIN_PORT (8790), AUTH0_PORT (8791),
// OLYMPUS_PORT (8792). Override any gateway variable with SWITCHBACK_VAR_<NAME>.
import { DEFAULT_AUTH0_USERS, DEFAULT_OLYMPUS_USERS, type SeedUser } from '../dev/idp/index.ts';
import { StackConfigError, startStack, type Stack } from '../dev/stack.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`switchback: ${name} must be a port number, got "${raw}"`);
    process.exit(1);
  }
  return n;
}

function varOverrides(): Record<string, string> {
  const prefix = 'SWITCHBACK_VAR_';
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([k, v]) => k.startsWith(prefix) && k.length > prefix.length && v !== undefined)
      .map(([k, v]) => [k.slice(prefix.length), v as string]),
  );
}

function usersLine(users: SeedUser[]): string {
  return users.map((u) => `${u.email} / ${u.password}  (sub ${u.sub})`).join('\n      ');
}

function banner(stack: Stack): string {
  const flag = (enabled: boolean) =>
    `curl -X POST -H "Authorization: Bearer ${stack.adminToken}" -H 'content-type: application/json' ${stack.gatewayUrl}/_switchback/api/flags/olympus_auth -d '{"enabled": ${enabled}}'`;
  return `
  switchback is running (local stand-ins, no accounts needed)

  Open:  ${stack.gatewayUrl}/

  Auth0 (local stand-in)    ${stack.auth0.issuer}
      ${usersLine(DEFAULT_AUTH0_USERS)}
  Olympus (local stand-in)  ${stack.olympus.issuer}
      ${usersLine(DEFAULT_OLYMPUS_USERS)}
  Demo origin               ${stack.originUrl}

  Route logins to Olympus:
    ${flag(true)}
  Roll back to Auth0:
    ${flag(false)}

  Make an IdP fail logins (rollback drills):
    curl -X POST ${stack.olympus.url}/_control/mode -d '{"failLogins": true}'

  Ctrl-C to stop.
`;
}

const overrides = varOverrides();
let stack: Stack;
try {
  stack = await startStack({
    gatewayPort: port('GATEWAY_PORT', 8787),
    originPort: port('ORIGIN_PORT', 8790),
    auth0Port: port('AUTH0_PORT', 8791),
    olympusPort: port('OLYMPUS_PORT', 8792),
    extraVars: overrides,
    echoGatewayOutput: true,
  });
} catch (err) {
  if (err instanceof StackConfigError) {
    console.error(err.message); // exactly what the worker would answer with
  } else {
    console.error(`switchback: failed to start: ${(err as Error).message}`);
  }
  process.exit(1);
}

if (Object.keys(overrides).length) console.log(`  variables overridden from SWITCHBACK_VAR_*: ${Object.keys(overrides).join(', ')}`);
console.log(banner(stack));

let shuttingDown = false;
process.on('SIGINT', () => (shuttingDown = true));
process.on('SIGTERM', () => (shuttingDown = true));
const why = await stack.gatewayExited;
if (shuttingDown) await new Promise(() => {}); // dev/cleanup.ts finishes and exits
console.error(`switchback: the gateway stopped unexpectedly: ${why}`);
await stack.stop();
process.exit(1);
