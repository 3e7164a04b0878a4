/**
 * Options of `switchback rollback`: command-line flags first, then the
 * environment (SWITCHBACK_URL, SWITCHBACK_ADMIN_TOKEN, ...). Everything is
 * validated before the first request, so a typo fails in milliseconds with a
 * usage message instead of half-way through an incident.
 */
import { parseArgs } from 'node:util';
import { SwitchbackError } from '../../src/core/errors.ts';

export interface HydraTarget {
  /** Hydra's admin base URL, without the /admin prefix of its paths. */
  adminUrl: string;
  clientId: string;
  /** Extra headers for a protecting proxy in front of the admin port (values are secrets). */
  headers: Array<[string, string]>;
}

export interface RollbackOptions {
  reason: string;
  /** The gateway's public URL, without a trailing slash. */
  gatewayUrl: string;
  token: string;
  healthUrl: string;
  /** Undefined: the revocation step is skipped. */
  hydra: HydraTarget | undefined;
  /** Bound of every single HTTP request. */
  timeoutMs: number;
  json: boolean;
}

export class UsageError extends SwitchbackError {
  readonly code = 'ERR_USAGE';
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const HEALTH_PATH_DEFAULT = '/api/health';

export const USAGE = `Usage: switchback rollback --reason "why" [options]
       npm run rollback -- --reason "why" [options]

Routes every new login back to Auth0 through the gateway's admin API, then
checks it: /login points at Auth0, the origin is healthy, Olympus tokens of the
gateway's client are revoked at Hydra (optional), the gateway's notifications
went out. Prints each step with its duration and the end of the token overlap.

Options (environment variable in brackets):
  --reason TEXT              why (audited and sent in the notifications); required
  --gateway URL              the gateway's public URL [SWITCHBACK_URL]
  --token TOKEN              admin API token, role oncall or eng-lead [SWITCHBACK_ADMIN_TOKEN]
                             (prefer the variable: a flag shows in ps and shell history)
  --health-url URL           origin health check [SWITCHBACK_HEALTH_URL, default <gateway>${HEALTH_PATH_DEFAULT}]
  --hydra-admin-url URL      Hydra's admin API; revokes the Olympus tokens of the gateway's client [HYDRA_ADMIN_URL]
  --olympus-client-id ID     the gateway's Hydra OAuth2 client [OLYMPUS_CLIENT_ID]
  --hydra-admin-header 'Name: value'
                             extra header for a proxy protecting Hydra's admin port (repeatable)
  --timeout-ms N             bound of each HTTP request (default ${DEFAULT_TIMEOUT_MS})
  --json                     print one JSON document instead of lines
  -h, --help                 this text

Exit codes: 0 done and verified; 1 rolled back but a check failed;
            2 usage error; 3 not rolled back (gateway unreachable, token refused, ...).`;

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** An absolute http(s) URL without credentials, query or fragment; returned without a trailing slash. */
function baseUrl(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${what} must be an absolute http(s) URL, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${what} must be an http(s) URL, got "${value}"`);
  if (u.username || u.password) throw new UsageError(`${what} must not contain credentials`);
  if (u.search || u.hash) throw new UsageError(`${what} must not have a query or fragment`);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

function healthUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`--health-url must be an absolute http(s) URL, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--health-url must be an http(s) URL, got "${value}"`);
  return u.href;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function header(raw: string): [string, string] {
  const colon = raw.indexOf(':');
  const name = colon > 0 ? raw.slice(0, colon).trim() : '';
  const value = colon > 0 ? raw.slice(colon + 1).trim() : '';
  // The value may be a secret: never echo it.
  if (!HEADER_NAME.test(name) || value === '' || /[\r\n]/.test(value)) {
    throw new UsageError(`--hydra-admin-header must look like 'Name: value' (got a header named "${name || '?'}")`);
  }
  if (/^(host|content-length|transfer-encoding|connection)$/i.test(name)) throw new UsageError(`--hydra-admin-header may not set ${name}`);
  return [name, value];
}

/** Parses argv (without node and the script) and the environment; 'help' when help was asked for. */
export function parseRollbackOptions(argv: string[], env: NodeJS.ProcessEnv): RollbackOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        reason: { type: 'string' },
        gateway: { type: 'string' },
        token: { type: 'string' },
        'health-url': { type: 'string' },
        'hydra-admin-url': { type: 'string' },
        'olympus-client-id': { type: 'string' },
        'hydra-admin-header': { type: 'string', multiple: true },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // Node's message quotes a stray argument, which may be a pasted token: do not echo it.
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError('unexpected argument: this command takes only --options (quote a --reason that has spaces)');
    }
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';

  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('--reason is required: say why you roll back (it is audited and sent to the on-call channel)');
  if (reason.length > 1000) throw new UsageError('--reason must be at most 1000 characters');

  const gatewayRaw = values.gateway?.trim() || fromEnv(env, 'SWITCHBACK_URL');
  if (!gatewayRaw) throw new UsageError('the gateway URL is missing: pass --gateway URL or set SWITCHBACK_URL');
  const gatewayUrl = baseUrl(gatewayRaw, values.gateway ? '--gateway' : 'SWITCHBACK_URL');

  const token = values.token?.trim() || fromEnv(env, 'SWITCHBACK_ADMIN_TOKEN');
  if (!token) throw new UsageError('the admin token is missing: set SWITCHBACK_ADMIN_TOKEN (or pass --token)');
  if (/\s/.test(token)) throw new UsageError('the admin token contains whitespace: check SWITCHBACK_ADMIN_TOKEN / --token (was it pasted with a line break?)');

  const health = values['health-url']?.trim() || fromEnv(env, 'SWITCHBACK_HEALTH_URL');

  const timeoutRaw = values['timeout-ms']?.trim();
  const timeoutMs = timeoutRaw === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!/^\d+$/.test(timeoutRaw ?? '0') || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new UsageError(`--timeout-ms must be a whole number of milliseconds from 100 to 120000, got "${timeoutRaw}"`);
  }

  const hydraRaw = values['hydra-admin-url']?.trim() || fromEnv(env, 'HYDRA_ADMIN_URL');
  const headerArgs = values['hydra-admin-header'] ?? [];
  let hydra: HydraTarget | undefined;
  if (hydraRaw) {
    const clientId = values['olympus-client-id']?.trim() || fromEnv(env, 'OLYMPUS_CLIENT_ID');
    if (!clientId) throw new UsageError('revoking Olympus tokens needs the gateway\'s Hydra client: pass --olympus-client-id ID or set OLYMPUS_CLIENT_ID');
    hydra = { adminUrl: baseUrl(hydraRaw, values['hydra-admin-url'] ? '--hydra-admin-url' : 'HYDRA_ADMIN_URL'), clientId, headers: headerArgs.map(header) };
  } else if (headerArgs.length > 0) {
    throw new UsageError('--hydra-admin-header needs --hydra-admin-url (or HYDRA_ADMIN_URL)');
  }

  return {
    reason,
    gatewayUrl,
    token,
    healthUrl: health ? healthUrl(health) : `${gatewayUrl}${HEALTH_PATH_DEFAULT}`,
    hydra,
    timeoutMs,
    json: values.json ?? false,
  };
}

/** Values that must never reach the output: the admin token and the proxy header values. */
export function secretsOf(options: RollbackOptions): string[] {
  return [options.token, ...(options.hydra?.headers.map(([, v]) => v) ?? [])];
}
