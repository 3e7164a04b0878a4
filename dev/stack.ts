// The "embedded default": starts the whole switchback setup on one machine
// without any account (auth0-like IdP, olympus-like IdP, demo origin, and the
// gateway under wrangler dev) for `npm start`, e2e tests and benchmarks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCleanup } from './cleanup.ts';
import { writeEnvFile } from './env-file.ts';
import { assertPortFree, getFreePort } from './free-port.ts';
import {
  AUTH0_AUDIENCE,
  OLYMPUS_CLIENT_ID,
  gatewayVars,
  generateSecrets,
  readWranglerVars,
} from './gateway-vars.ts';
import { startOlympusLike, type Auth0LikeOptions, type IdpHandle, type OlympusLikeOptions } from './idp/index.ts';
import { AUTH0_ROLE_VARS, LEGACY_CLIENT_IDS, legacyVars, startLegacyIdp } from './legacy-idp.ts';
import type { LegacyKindId } from '../src/providers/kinds/kind.ts';
import { startOrigin, type OriginHandle } from './origin/index.ts';
import { runValidator, workerConfigValidator, type ConfigValidator } from './validate-config.ts';
import { killWranglerNow, startWranglerDev, type WranglerDevHandle } from './wrangler-dev.ts';

export { StackConfigError } from './validate-config.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const HEALTH_PATH = '/_switchback/health';

export interface StackOptions {
  /** Ports default to free ones (0). */
  gatewayPort?: number;
  originPort?: number;
  auth0Port?: number;
  olympusPort?: number;
  /** Added to / overriding the generated gateway variables. */
  extraVars?: Record<string, string>;
  /**
   * Checks the final variables before wrangler starts; throwing aborts with StackConfigError.
   * Default: parseConfig from src/config.ts when that module exists. `false` disables the check.
   */
  validateConfig?: ConfigValidator | false;
  /** The legacy provider's kind (LEGACY_PROVIDER) and so its stand-in; default auth0. `auth0*` options apply to it. */
  legacy?: LegacyKindId;
  /** Options of the IdPs (users, extraUsers, mode, ...); clients and port are set by the stack. */
  auth0?: Omit<Auth0LikeOptions, 'port' | 'clients'>;
  olympus?: Omit<OlympusLikeOptions, 'port' | 'clients'>;
  /** Set false to start only the IdPs and the origin (gatewayUrl is still reserved). */
  startGateway?: boolean;
  /** Default "wrangler.toml" (relative to the repo root). */
  wranglerConfig?: string;
  /** wrangler --log-level, default "warn". */
  logLevel?: 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none';
  /** Copy wrangler's output to this process' stdout/stderr. Default false (kept for error reports). */
  echoGatewayOutput?: boolean;
  /** Default 60000. */
  healthTimeoutMs?: number;
}

export interface StackIdp extends IdpHandle {
  clientId: string;
  clientSecret: string;
}

export interface Stack {
  /** PUBLIC_URL of the gateway, e.g. http://127.0.0.1:8787 */
  gatewayUrl: string;
  originUrl: string;
  /** The legacy role's stand-in, whatever its kind (`legacyKind`); audience is '' for kinds without one. */
  auth0: StackIdp & { audience: string };
  legacyKind: LegacyKindId;
  olympus: StackIdp;
  origin: OriginHandle;
  /** Bearer token for /_switchback/api (its SHA-256 is in ADMIN_TOKENS). */
  adminToken: string;
  /** Exactly the variables written to the gateway's env file. */
  vars: Record<string, string>;
  /** Recent wrangler output ("" when the gateway was not started). */
  gatewayOutput(): string;
  /** Resolves when wrangler exits (also after stop()); never resolves when the gateway was not started. */
  gatewayExited: Promise<string>;
  /** Flips a gateway flag through the admin API, e.g. setFlag('olympus_auth', true). */
  setFlag(name: string, enabled: boolean): Promise<Response>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stops: Array<() => Promise<void>> = [];
  let wrangler: WranglerDevHandle | undefined;
  let tmp: string | undefined;
  let stopped = false;

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await wrangler?.stop().catch(() => {});
    await Promise.all(stops.map((s) => s().catch(() => {})));
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => {});
  };
  const unregister = registerCleanup(stopAll, () => {
    if (wrangler) killWranglerNow(wrangler);
  });

  try {
    if (options.gatewayPort) await assertPortFree(options.gatewayPort, 'gateway');
    const gatewayPort = options.gatewayPort || (await getFreePort());
    const publicUrl = `http://127.0.0.1:${gatewayPort}`;
    const secrets = await generateSecrets();
    const clientFor = (clientId: string, clientSecret: string) => ({
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'switchback (local)',
      redirect_uris: [`${publicUrl}/callback`],
      post_logout_redirect_uris: [`${publicUrl}/`],
    });

    const legacyKind = options.legacy ?? 'auth0';
    const legacyClientId = LEGACY_CLIENT_IDS[legacyKind];
    const auth0 = await startLegacyIdp({
      kind: legacyKind,
      port: options.auth0Port ?? 0,
      client: clientFor(legacyClientId, secrets.auth0ClientSecret),
      options: { ...options.auth0, audiences: options.auth0?.audiences ?? [AUTH0_AUDIENCE] },
    });
    stops.push(auth0.stop);
    const olympus = await startOlympusLike({
      ...options.olympus,
      port: options.olympusPort ?? 0,
      clients: [clientFor(OLYMPUS_CLIENT_ID, secrets.olympusClientSecret)],
    });
    stops.push(olympus.stop);
    const origin = await startOrigin({ port: options.originPort ?? 0, gatewayUrl: publicUrl });
    stops.push(origin.stop);

    const vars = gatewayVars({
      publicUrl,
      originUrl: origin.url,
      auth0Issuer: auth0.issuer,
      olympusIssuer: olympus.issuer,
      olympusUrl: olympus.url,
      secrets,
      extraVars: { ...legacyVars(legacyKind, auth0, secrets.auth0ClientSecret, publicUrl), ...options.extraVars },
    });
    if (legacyKind !== 'auth0') for (const name of AUTH0_ROLE_VARS) if (options.extraVars?.[name] === undefined) delete vars[name];

    const wranglerConfig = options.wranglerConfig ?? 'wrangler.toml';
    const configPath = isAbsolute(wranglerConfig) ? wranglerConfig : join(REPO_ROOT, wranglerConfig);
    const validator = options.validateConfig === false ? undefined : (options.validateConfig ?? (await workerConfigValidator()));
    await runValidator(validator, { ...(await readWranglerVars(configPath)), ...vars });

    if (options.startGateway !== false) {
      tmp = await mkdtemp(join(tmpdir(), 'switchback-stack-'));
      const envFile = join(tmp, 'gateway.env');
      await writeEnvFile(envFile, vars);
      wrangler = await startWranglerDev({
        root: REPO_ROOT,
        config: configPath,
        port: gatewayPort,
        inspectorPort: await getFreePort(),
        envFile,
        persistTo: join(tmp, 'state'),
        logLevel: options.logLevel ?? 'warn',
        healthPath: HEALTH_PATH,
        healthTimeoutMs: options.healthTimeoutMs ?? 60_000,
        echoOutput: options.echoGatewayOutput ?? false,
        // Known before it is healthy: a signal or stop() during startup must not orphan it.
        onSpawn: (handle) => (wrangler = handle),
      });
    }

    const adminToken = secrets.adminToken;
    return {
      gatewayUrl: publicUrl,
      originUrl: origin.url,
      auth0: { ...auth0, clientId: legacyClientId, clientSecret: secrets.auth0ClientSecret, audience: vars.AUTH0_AUDIENCE ?? '' },
      legacyKind,
      olympus: { ...olympus, clientId: OLYMPUS_CLIENT_ID, clientSecret: secrets.olympusClientSecret },
      origin,
      adminToken,
      vars,
      gatewayOutput: () => wrangler?.output() ?? '',
      gatewayExited: wrangler?.exited ?? new Promise<string>(() => {}),
      setFlag: (name, enabled) =>
        fetch(`${publicUrl}/_switchback/api/flags/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ enabled }),
        }),
      stop: async () => {
        await stopAll();
        unregister();
      },
    };
  } catch (err) {
    await stopAll();
    unregister();
    throw err;
  }
}
