// The "embedded default": starts the whole switchback setup on one machine
// without any account (auth0-like IdP, olympus-like IdP, demo origin, and the
// gateway under wrangler dev) for `npm start`, e2e tests and benchmarks.
// The story around it (dev/story.ts): the Olympus side's users are Kratos
// identities that the Kratos admin stand-in serves, and a sign-up calls the
// gateway's registration hook; the Auth0 side's users are the Management API
// stand-in's, so a reconcile's import can sign in at once; every email and
// notification lands in the mail catcher.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCleanup } from './cleanup.ts';
import { startStackMirror } from './stack-mirror.ts';
import type { MirrorProcess } from '../scripts/mirror/mirror-process.ts';
import { writeEnvFile } from './env-file.ts';
import { secondaryWorkerConfig } from './secondary-config.ts';
import { assertPortFree, getFreePort } from './free-port.ts';
import {
  AUTH0_AUDIENCE,
  OLYMPUS_CLIENT_ID,
  gatewayVars,
  generateSecrets,
  readWranglerVars,
} from './gateway-vars.ts';
import { startOlympusLike, type Auth0LikeOptions, type IdpHandle, type OlympusLikeOptions } from './idp/index.ts';
import { startStory, type Story } from './story.ts';
import { AUTH0_ROLE_VARS, LEGACY_CLIENT_IDS, LEGACY_USERS, legacyVars, startLegacyAdminApi, startLegacyIdp, type LegacyAdminApi } from './legacy-idp.ts';
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
  /** The story's parts: Auth0 Management API, Kratos admin API, mail catcher. */
  auth0ApiPort?: number;
  kratosAdminPort?: number;
  mailPort?: number;
  /**
   * Configure the gateway's own reconcile job (the Workflow a rollback starts) against the
   * Auth0 Management API stand-in: it creates the captured signups without their password and
   * emails each a reset link. Off by default: it runs at the rollback, before `npm run
   * reconcile` could carry the password hash.
   */
  reconcileJob?: boolean;
  /**
   * Run `switchback mirror` in this process against the stack (dev/stack-mirror.ts): Olympus
   * signups reach the legacy stand-in within `sweepSeconds` (default 3), with their hash where the
   * kind takes one, and /status.mirror shows it. Needs the gateway.
   */
  mirror?: boolean | { sweepSeconds?: number; log?: (line: string) => void };
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
  /**
   * Default "wrangler.toml" (relative to the repo root). Several configs run as one multi-Worker
   * `wrangler dev` (the production split, deploy/): the first serves requests and gives the vars.
   */
  wranglerConfig?: string | readonly string[];
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

export interface Stack extends Story {
  /** PUBLIC_URL of the gateway, e.g. http://127.0.0.1:8787 */
  gatewayUrl: string;
  originUrl: string;
  /** The legacy role's stand-in, whatever its kind (`legacyKind`); audience is '' for kinds without one. */
  auth0: StackIdp & { audience: string };
  legacyKind: LegacyKindId;
  /** Cognito's or Clerk's admin API stand-in, sharing the legacy stand-in's users; undefined for Auth0 (see auth0Api). */
  legacyAdmin: LegacyAdminApi | undefined;
  olympus: StackIdp;
  origin: OriginHandle;
  /** Bearer token for /_switchback/api (its SHA-256 is in ADMIN_TOKENS). */
  adminToken: string;
  /** Tokens with the oncall and viewer roles (the console's rollback-only and read-only views). */
  oncallToken: string;
  viewerToken: string;
  /** A scratch directory removed by stop() (reports, checkpoints of a demo run); "" without a gateway. */
  workDir: string;
  /** Exactly the variables written to the gateway's env file. */
  vars: Record<string, string>;
  /** The in-process mirror (`mirror` option), undefined without it. */
  mirror: MirrorProcess | undefined;
  /** Recent wrangler output ("" when the gateway was not started). */
  gatewayOutput(): string;
  /** Resolves when wrangler exits (also after stop()); never resolves when the gateway was not started. */
  gatewayExited: Promise<string>;
  /** Flips a gateway flag through the admin API, e.g. setFlag('olympus_auth', true). */
  setFlag(name: string, enabled: boolean): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The gateway's variables for its reconcile job, from the stand-ins' reconcile environment: Auth0's
 * Management API access; for Cognito and Clerk, whose admin access the stack always sets (the
 * password hook uses it), RECONCILE_JOB=on.
 */
function reconcileJobVars(kind: LegacyKindId, env: Record<string, string>): Record<string, string> {
  const names = kind === 'auth0' ? ['AUTH0_MANAGEMENT_URL', 'AUTH0_MGMT_CLIENT_ID', 'AUTH0_MGMT_CLIENT_SECRET', 'AUTH0_CONNECTION', 'KRATOS_ADMIN_URL'] : ['KRATOS_ADMIN_URL'];
  return { ...Object.fromEntries(names.map((n) => [n, env[n]!])), ...(kind === 'auth0' ? {} : { RECONCILE_JOB: 'on' }) };
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
    const hookToken = `khk_${randomBytes(24).toString('base64url')}`;
    let vars: Record<string, string> | undefined;
    const story = await startStory({
      gatewayUrl: publicUrl,
      hookToken: () => vars?.KRATOS_HOOK_TOKEN,
      auth0Users: options.auth0?.users,
      auth0ExtraUsers: options.auth0?.extraUsers,
      olympusUsers: options.olympus?.users,
      olympusExtraUsers: options.olympus?.extraUsers,
      ports: { auth0Api: options.auth0ApiPort ?? 0, kratosAdmin: options.kratosAdminPort ?? 0, mail: options.mailPort ?? 0 },
    });
    stops.push(story.stop);
    const clientFor = (clientId: string, clientSecret: string) => ({
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'switchback (local)',
      redirect_uris: [`${publicUrl}/callback`],
      post_logout_redirect_uris: [`${publicUrl}/`],
    });

    const legacyKind = options.legacy ?? 'auth0';
    const legacyClientId = LEGACY_CLIENT_IDS[legacyKind];
    const legacyUsers = [...(options.auth0?.users ?? LEGACY_USERS[legacyKind]), ...(options.auth0?.extraUsers ?? [])];
    const legacyAdmin = await startLegacyAdminApi(legacyKind, { clientId: legacyClientId, clientSecret: secrets.auth0ClientSecret, users: legacyUsers, onEmail: (m) => story.mail.add(m) });
    if (legacyAdmin) stops.push(legacyAdmin.stop);
    const auth0 = await startLegacyIdp({
      kind: legacyKind,
      port: options.auth0Port ?? 0,
      client: clientFor(legacyClientId, secrets.auth0ClientSecret),
      // The story's Auth0 signs in the Management API stand-in's users and sends real reset emails.
      options: { ...options.auth0, audiences: options.auth0?.audiences ?? [AUTH0_AUDIENCE], ...(legacyKind === 'auth0' ? { directory: story.auth0Directory, passwordReset: story.auth0PasswordReset } : { directory: legacyAdmin?.directory }) },
    });
    stops.push(auth0.stop);
    const olympus = await startOlympusLike({
      ...options.olympus,
      directory: story.olympusDirectory,
      port: options.olympusPort ?? 0,
      clients: [clientFor(OLYMPUS_CLIENT_ID, secrets.olympusClientSecret)],
    });
    stops.push(olympus.stop);
    story.setAuth0LoginUrl(auth0.url);
    const origin = await startOrigin({ port: options.originPort ?? 0, gatewayUrl: publicUrl });
    stops.push(origin.stop);

    vars = gatewayVars({
      publicUrl,
      originUrl: origin.url,
      auth0Issuer: auth0.issuer,
      olympusIssuer: olympus.issuer,
      olympusUrl: olympus.url,
      secrets,
      // The story's defaults; extraVars may replace them.
      extraVars: {
        KRATOS_HOOK_TOKEN: hookToken,
        NOTIFY_WEBHOOK_URL: story.mail.notifyUrl,
        ...(options.reconcileJob ? reconcileJobVars(legacyKind, story.reconcileEnv) : {}),
        ...legacyVars(legacyKind, auth0, secrets.auth0ClientSecret, publicUrl),
        ...legacyAdmin?.vars,
        ...options.extraVars,
      },
    });
    if (legacyKind !== 'auth0') for (const name of AUTH0_ROLE_VARS) if (options.extraVars?.[name] === undefined) delete vars[name];
    const finalVars = vars;

    const configPaths = [options.wranglerConfig ?? 'wrangler.toml'].flat().map((c) => (isAbsolute(c) ? c : join(REPO_ROOT, c)));
    const configPath = configPaths[0]!;
    const validator = options.validateConfig === false ? undefined : (options.validateConfig ?? (await workerConfigValidator()));
    await runValidator(validator, { ...(await readWranglerVars(configPath)), ...finalVars });

    if (options.startGateway !== false) {
      tmp = await mkdtemp(join(tmpdir(), 'switchback-stack-'));
      const envFile = join(tmp, 'gateway.env');
      await writeEnvFile(envFile, finalVars);
      const configs = [configPath, ...(await Promise.all(configPaths.slice(1).map((c, i) => secondaryWorkerConfig(c, join(tmp!, `worker-${i + 1}`), finalVars))))];
      // A port found free can be taken before wrangler binds it (another server asking the kernel for
      // any port): wrangler then exits with "Address already in use". Try again with a new inspector
      // port (the gateway's is in PUBLIC_URL and the IdPs' redirect URIs, so it stays) after a pause.
      for (let attempt = 1; ; attempt++) {
        try {
          wrangler = await startWranglerDev({
            root: REPO_ROOT,
            config: configs,
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
          break;
        } catch (err) {
          if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err;
          wrangler = undefined;
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    }

    const adminToken = secrets.adminToken;
    let mirror: MirrorProcess | undefined;
    if (options.mirror && wrangler && tmp) {
      const o = options.mirror === true ? {} : options.mirror;
      mirror = await startStackMirror({
        kind: legacyKind,
        targetVars: legacyKind === 'auth0' ? story.reconcileEnv : { ...legacyAdmin!.vars },
        kratosAdminUrl: story.reconcileEnv.KRATOS_ADMIN_URL!,
        gatewayUrl: publicUrl,
        token: secrets.mirrorToken, // role mirror: the heartbeat and nothing else
        journalPath: join(tmp, 'mirror.journal.jsonl'),
        sweepSeconds: o.sweepSeconds ?? 3,
        log: o.log,
      });
      stops.push(mirror.stop);
    }
    const { stop: _storyStop, auth0Directory: _a, auth0PasswordReset: _r, olympusDirectory: _o, setAuth0LoginUrl: _s, ...storyParts } = story;
    return {
      ...storyParts,
      gatewayUrl: publicUrl,
      originUrl: origin.url,
      auth0: { ...auth0, clientId: legacyClientId, clientSecret: secrets.auth0ClientSecret, audience: finalVars.AUTH0_AUDIENCE ?? '' },
      legacyKind,
      legacyAdmin,
      olympus: { ...olympus, clientId: OLYMPUS_CLIENT_ID, clientSecret: secrets.olympusClientSecret },
      origin,
      adminToken,
      oncallToken: secrets.oncallToken,
      viewerToken: secrets.viewerToken,
      workDir: tmp ?? '',
      vars: finalVars,
      mirror,
      reconcileEnv: { ...story.reconcileEnv, SWITCHBACK_ADMIN_TOKEN: adminToken },
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
