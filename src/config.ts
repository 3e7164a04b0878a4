/**
 * Gateway configuration: every var and secret parsed once, validated, typed.
 *
 * The same function runs in the Worker (every request gets a 503 naming the
 * variable when it fails) and in `npm start` before anything is served, so an
 * operator sees one message wherever the mistake is made. No Workers or Node
 * API is used here on purpose.
 */
import type { ActorRole, AdminRole } from './admin/admin-role.ts';
import type { ProviderId } from './core/provider-id.ts';
import { LEGACY_KIND_IDS, type KindId, type LegacyKindId, type ProviderKind } from './providers/kinds/kind.ts';
import { PROVIDER_KINDS } from './providers/kinds/registry.ts';
import { DEFAULT_RULES_YAML, parseRules, RulesError, type RulesConfig } from './rollback/rules.ts';
import { SwitchbackError } from './core/errors.ts';
import { clerkBackendOptions, cognitoAdminOptions, isProblem } from './providers/admin/admin-config.ts';
import { isUserMailProblem, userMailConfig, type UserMailConfig } from './comms/user-mail.ts';
import type { ClerkBackendOptions } from './providers/admin/clerk-backend-client.ts';
import type { CognitoAdminOptions } from './providers/admin/cognito-admin-client.ts';

export type AccessTokenFormat = 'jwt' | 'opaque' | 'auto';
export type TokenBinding = 'audience' | 'client';

export interface ProviderOptions {
  /** The role: 'auth0' is the legacy side whatever its kind, 'olympus' the target (core/provider-id.ts). */
  id: ProviderId;
  /** The product behind the role (src/providers/kinds/): the legacy one from LEGACY_PROVIDER, Ory for Olympus. */
  kind: KindId;
  /** Exact issuer string, compared byte for byte (Auth0's ends with a slash). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Audience required in JWT access tokens (and requested at login for Auth0). */
  audience: string | undefined;
  /**
   * How a bearer token is bound to this gateway: `audience` (its `aud` holds
   * `audience`) or `client` (its `client_id`/`azp` is this gateway's own
   * client, and `aud` too when an audience is set). Never unbound: another
   * client's token of the same issuer must not pass.
   */
  tokenBinding: TokenBinding;
  scopes: string;
  accessTokenFormat: AccessTokenFormat;
  /** Asymmetric algorithms accepted for this issuer's tokens. */
  algorithms: string[];
  /** RFC 7662 endpoint; defaults to the discovered `introspection_endpoint`. */
  introspectionUrl: string | undefined;
  introspectionClientId: string;
  introspectionClientSecret: string;
  /** Extra headers for the protected route in front of Hydra's admin port. */
  introspectionHeaders: Record<string, string>;
  recoveryUrl: string | undefined;
  /** Extra authorization parameters for /signup (Auth0: screen_hint=signup; Hydra v2.2+: prompt=registration). */
  signupParams: [string, string][];
  /** Origins allowed in the `azp` of a Clerk session token (CLERK_AUTHORIZED_PARTIES); empty for other kinds. */
  authorizedParties: string[];
}

export interface GatewayConfig {
  providers: Record<ProviderId, ProviderOptions>;
  originUrl: string;
  /** Public base URL of the gateway; derived from the request when unset. */
  publicUrl: string | undefined;
  sessionSecret: string;
  sessionTtlSeconds: number;
  tokenOverlapSeconds: number;
  signingKey: JsonWebKeyWithKid;
  publicPaths: string[];
  cookieSecure: boolean;
  /** /login asks for the email first (when it can change the provider), to route Olympus-only users to Olympus. */
  identifierFirst: boolean;
  flagCacheTtlMs: number;
  introspectionCacheSeconds: number;
  maxTokenBytes: number;
  adminTokens: AdminTokenEntry[];
  /** Rules from ROLLBACK_RULES (or the plan's defaults); the admin API can replace them at run time. */
  rules: RulesConfig;
  rulesText: string | undefined;
  rulesDefaultText: string;
  notify: { webhookUrl: string | undefined; email: { from: string; to: string } | undefined };
  /** HMAC-SHA256 key of POST /_switchback/hooks/support-ticket; the hook is closed when unset. */
  supportHookSecret: string | undefined;
  /** Bearer token the Auth0 log stream sends; the hook is closed when unset. */
  auth0LogStreamToken: string | undefined;
  /** Token the Kratos web hooks send (Authorization header); the hooks are closed when unset. */
  kratosHookToken: string | undefined;
  /** A `switchback mirror` that has reported and then stays silent this long raises `mirror.silent` (MIRROR_SILENCE_SECONDS). */
  mirrorSilenceSeconds: number;
  /** Kratos's password migration hook (POST /_switchback/hooks/password-migration); closed when undefined. */
  passwordMigration: PasswordMigrationOptions | undefined;
  /** Header carrying the client's IP (Cloudflare: cf-connecting-ip). */
  clientIpHeader: string;
  /** IPv6 clients are keyed by this network prefix (an IPv6 host holds at least a /64); IPv4 clients by address. */
  clientIpv6Prefix: number;
  /**
   * The durable reconcile job a rollback starts (src/reconcile/reconcile-workflow.ts); undefined: not
   * configured. It writes to the legacy kind: for Auth0 on when its Management API access
   * (AUTH0_MGMT_*) is set, for Cognito and Clerk with RECONCILE_JOB=on and their admin access
   * (`legacyAdmin`, COGNITO_* / CLERK_*); RECONCILE_JOB=off turns it off for any kind.
   */
  reconcile: { kind: LegacyKindId; auth0: Auth0ManagementAccess | undefined; kratosAdminUrl: string | undefined; kratosAdminHeaders: Record<string, string> } | undefined;
  /** Which system sends transactional email during the parallel run (COURIER; src/rollback/courier-check.ts). */
  courier: 'olympus' | 'legacy';
  /**
   * A Cognito or Clerk legacy provider's admin API, for the courier check after
   * a rollback (courier-check.ts); `problem` when its variables are missing or
   * wrong (the check then records why it could not run: never a startup
   * error, the check is advisory); undefined for Auth0 (`reconcile`).
   */
  legacyAdmin: { kind: 'cognito'; cognito: CognitoAdminOptions } | { kind: 'clerk'; clerk: ClerkBackendOptions } | { kind: 'cognito' | 'clerk'; variable: string; problem: string } | undefined;
  /** Communication after a rollback (src/comms/): the public status link, the product name, Statuspage. */
  comms: { statusPageUrl: string | undefined; productName: string; statuspage: { apiUrl: string; pageId: string; apiKey: string } | undefined; userMail: UserMailConfig };
  /** After a rollback, Olympus may be re-enabled this long after it at the earliest (REENABLE_COOLDOWN; src/rollback/reenable-gate.ts). */
  reenableCooldownSeconds: number;
  /** Cloudflare Access: team domain and application audience, when admin access goes through Access. */
  access: { teamDomain: string; audience: string; roles: Record<string, AdminRole> } | undefined;
}

/** The legacy providers a password can be checked against (src/password-migration/legacy-password-checks.ts): every legacy kind. */
export type LegacyPasswordKind = LegacyKindId;

interface PasswordHookCommon {
  /** The API key Kratos's web hook `auth` sends (Authorization header, "Bearer " optional). */
  apiKey: string;
  /** Time budget of one check: Kratos waits for it inside the user's sign-in. */
  timeoutMs: number;
  /** Send the end user's address to the provider (Auth0: auth0-forwarded-for; Cognito: ContextData.IpAddress). */
  forwardClientIp: boolean;
  /** The header, among the `request_headers` Kratos puts in the hook body, carrying the end user's address. */
  clientIpHeader: string;
}

export type PasswordMigrationOptions = PasswordHookCommon &
  (
    | {
        legacy: 'auth0';
        /** Auth0's token endpoint, for the Resource Owner Password (password-realm) grant. */
        tokenUrl: string;
        /** An Auth0 application with the Password grant enabled (default: the gateway's own login client). */
        clientId: string;
        clientSecret: string;
        /** The Auth0 database connection users are checked in. */
        realm: string;
      }
    | {
        legacy: 'cognito';
        cognito: CognitoAdminOptions;
        /** An app client allowing ALLOW_ADMIN_USER_PASSWORD_AUTH (default: the gateway's own, COGNITO_CLIENT_ID). */
        clientId: string;
        /** Its secret, for SECRET_HASH; undefined for a client without one. */
        clientSecret: string | undefined;
      }
    | { legacy: 'clerk'; clerk: ClerkBackendOptions }
  );

/** Auth0 Management API access (AUTH0_DOMAIN or AUTH0_MANAGEMENT_URL, AUTH0_MGMT_*, AUTH0_CONNECTION). */
export interface Auth0ManagementAccess {
  managementUrl: string;
  clientId: string;
  clientSecret: string;
  connection: string;
}

export interface JsonWebKeyWithKid {
  kty: string;
  kid: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  alg?: string;
  [k: string]: unknown;
}

export type { ActorRole, AdminRole };

export interface AdminTokenEntry {
  name: string;
  /** `mirror`: the heartbeat only (admin-role.ts). */
  role: ActorRole;
  sha256: string;
}

/** Thrown for a missing or invalid variable; the message names it and never echoes a secret. */
export class ConfigError extends SwitchbackError {
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`switchback is misconfigured: ${variable} ${problem}`);
  }
}

type Vars = Record<string, unknown>;

const ALLOWED_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

function str(vars: Vars, name: string): string | undefined {
  const v = vars[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError(name, 'must be a string');
  const t = v.trim();
  return t === '' ? undefined : t;
}

function required(vars: Vars, name: string): string {
  const v = str(vars, name);
  if (v === undefined) throw new ConfigError(name, 'is required but not set');
  return v;
}

function url(vars: Vars, name: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(name, 'must be an absolute http(s) URL');
  if (u.username || u.password) throw new ConfigError(name, 'must not contain credentials');
  return value;
}

function optionalUrl(vars: Vars, name: string): string | undefined {
  const v = str(vars, name);
  return v === undefined ? undefined : url(vars, name, v);
}

function int(vars: Vars, name: string, fallback: number, min: number, max: number): number {
  const v = str(vars, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be a whole number between ${min} and ${max}`);
  return n;
}

function bool(vars: Vars, name: string, fallback: boolean): boolean {
  const v = str(vars, name);
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, 'must be "true" or "false"');
}

function json(vars: Vars, name: string): unknown {
  const v = str(vars, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new ConfigError(name, 'must be valid JSON');
  }
}

function provider(vars: Vars, id: ProviderId, kind: ProviderKind): ProviderOptions {
  const prefix = kind.envPrefix;
  const defaultFormat = kind.defaults.accessTokenFormat;
  const issuer = url(vars, `${prefix}_ISSUER`, required(vars, `${prefix}_ISSUER`));
  const clientId = required(vars, `${prefix}_CLIENT_ID`);
  const clientSecret = required(vars, `${prefix}_CLIENT_SECRET`);
  const format = str(vars, `${prefix}_ACCESS_TOKEN_FORMAT`) ?? defaultFormat;
  if (format !== 'jwt' && format !== 'opaque' && format !== 'auto') {
    throw new ConfigError(`${prefix}_ACCESS_TOKEN_FORMAT`, 'must be one of jwt, opaque, auto');
  }
  const algs = (str(vars, `${prefix}_ALGORITHMS`) ?? 'RS256').split(',').map((a) => a.trim()).filter(Boolean);
  for (const alg of algs) {
    if (!ALLOWED_ALGS.has(alg)) {
      throw new ConfigError(`${prefix}_ALGORITHMS`, `contains ${JSON.stringify(alg)}: only asymmetric algorithms are allowed (no none, no HS*)`);
    }
  }
  if (algs.length === 0) throw new ConfigError(`${prefix}_ALGORITHMS`, 'must list at least one algorithm');
  const headers = json(vars, `${prefix}_INTROSPECTION_HEADERS`) ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((h) => typeof h !== 'string')) {
    throw new ConfigError(`${prefix}_INTROSPECTION_HEADERS`, 'must be a JSON object of string header values');
  }
  const audience = str(vars, `${prefix}_AUDIENCE`);
  const options: ProviderOptions = {
    id,
    kind: kind.id,
    issuer,
    clientId,
    clientSecret,
    audience,
    tokenBinding: tokenBinding(vars, prefix, audience, kind.defaults.tokenBinding),
    scopes: str(vars, `${prefix}_SCOPES`) ?? 'openid profile email',
    accessTokenFormat: format,
    algorithms: algs,
    introspectionUrl: optionalUrl(vars, `${prefix}_INTROSPECTION_URL`) ?? kind.defaultIntrospectionUrl(issuer),
    introspectionClientId: str(vars, `${prefix}_INTROSPECTION_CLIENT_ID`) ?? clientId,
    introspectionClientSecret: str(vars, `${prefix}_INTROSPECTION_CLIENT_SECRET`) ?? clientSecret,
    introspectionHeaders: headers as Record<string, string>,
    recoveryUrl: optionalUrl(vars, `${prefix}_RECOVERY_URL`),
    signupParams: signupParams(vars, `${prefix}_SIGNUP_PARAMS`, kind.defaults.signupParams),
    authorizedParties: authorizedParties(vars, `${prefix}_AUTHORIZED_PARTIES`, kind),
  };
  const wrong = kind.validate(options);
  if (wrong) throw new ConfigError(wrong.variable, wrong.problem);
  return options;
}

/** Clerk's `azp` allow-list: exact origins (scheme://host[:port]), as browsers send them. */
function authorizedParties(vars: Vars, name: string, kind: ProviderKind): string[] {
  // Only Clerk's session tokens are bound by azp origins; no other kind reads the variable.
  if (kind.id !== 'clerk') return [];
  const v = str(vars, name);
  if (v === undefined) return [];
  return v.split(',').map((o) => o.trim()).filter(Boolean).map((o) => {
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      throw new ConfigError(name, `entry ${JSON.stringify(o.slice(0, 100))} must be an origin like https://app.example.com`);
    }
    if (u.origin !== o) throw new ConfigError(name, `entry ${JSON.stringify(o.slice(0, 100))} must be an origin like https://app.example.com (no path, no trailing slash)`);
    return o;
  });
}

/** LEGACY_PROVIDER: which kind holds the legacy role; Auth0 unless set, so existing deployments keep their variables. */
function legacyKind(vars: Vars): ProviderKind {
  const v = str(vars, 'LEGACY_PROVIDER') ?? 'auth0';
  if (!(LEGACY_KIND_IDS as readonly string[]).includes(v)) throw new ConfigError('LEGACY_PROVIDER', `must be one of ${LEGACY_KIND_IDS.join(', ')}`);
  return PROVIDER_KINDS[v as LegacyKindId];
}

/** Refuses to start with bearer tokens bound to nothing but their issuer (any client's token would pass). */
function tokenBinding(vars: Vars, prefix: string, audience: string | undefined, kindDefault: TokenBinding | undefined): TokenBinding {
  const v = str(vars, `${prefix}_TOKEN_BINDING`);
  if (v !== undefined && v !== 'audience' && v !== 'client') throw new ConfigError(`${prefix}_TOKEN_BINDING`, 'must be "audience" or "client"');
  const binding = v ?? (audience !== undefined ? 'audience' : kindDefault);
  if (binding === 'client') return 'client';
  if (audience === undefined) {
    throw new ConfigError(
      `${prefix}_AUDIENCE`,
      `is required to bind access tokens to this gateway (otherwise any token of that issuer, for any client, is accepted); or set ${prefix}_TOKEN_BINDING=client to accept only tokens issued to ${prefix}_CLIENT_ID (client_id/azp claim)`,
    );
  }
  return 'audience';
}

const RESERVED_PARAMS = new Set(['client_id', 'redirect_uri', 'response_type', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'scope']);

function signupParams(vars: Vars, name: string, fallback: string): [string, string][] {
  const raw = str(vars, name) ?? fallback;
  const pairs = [...new URLSearchParams(raw)];
  for (const [k] of pairs) if (RESERVED_PARAMS.has(k)) throw new ConfigError(name, `must not set ${k}`);
  return pairs;
}

function signingKey(vars: Vars): JsonWebKeyWithKid {
  const key = json(vars, 'GATEWAY_SIGNING_KEY');
  if (key === undefined) throw new ConfigError('GATEWAY_SIGNING_KEY', 'is required but not set (generate one with `npm run keygen`)');
  const k = key as Partial<JsonWebKeyWithKid>;
  if (typeof key !== 'object' || key === null || k.kty !== 'EC' || k.crv !== 'P-256' || typeof k.d !== 'string' || typeof k.kid !== 'string' || !k.kid) {
    throw new ConfigError('GATEWAY_SIGNING_KEY', 'must be a private EC P-256 JWK with a "kid" (generate one with `npm run keygen`)');
  }
  return k as JsonWebKeyWithKid;
}

function adminTokens(vars: Vars): AdminTokenEntry[] {
  const raw = json(vars, 'ADMIN_TOKENS');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new ConfigError('ADMIN_TOKENS', 'must be a JSON array of {"name","role","sha256"}');
  return raw.map((e, i) => {
    const ok =
      typeof e === 'object' && e !== null &&
      typeof e.name === 'string' && e.name.length > 0 &&
      (e.role === 'viewer' || e.role === 'oncall' || e.role === 'eng-lead' || e.role === 'mirror') &&
      typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.sha256);
    if (!ok) throw new ConfigError('ADMIN_TOKENS', `entry ${i} must be {"name": string, "role": "viewer"|"oncall"|"eng-lead"|"mirror", "sha256": 64 hex chars}`);
    return { name: e.name, role: e.role, sha256: e.sha256.toLowerCase() };
  });
}

function publicPaths(vars: Vars): string[] {
  const v = str(vars, 'PUBLIC_PATHS');
  if (v === undefined) return [];
  const paths = v.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of paths) {
    if (!p.startsWith('/') || p.includes('..')) throw new ConfigError('PUBLIC_PATHS', `entry ${JSON.stringify(p)} must be an absolute path (a trailing * matches a prefix)`);
  }
  return paths;
}

function rules(vars: Vars): { rules: RulesConfig; text: string | undefined } {
  const text = str(vars, 'ROLLBACK_RULES');
  try {
    return { rules: parseRules(text ?? DEFAULT_RULES_YAML), text };
  } catch (err) {
    if (err instanceof RulesError) throw new ConfigError('ROLLBACK_RULES', `is invalid: ${err.message.replace(/^ROLLBACK_RULES /, '')}`);
    throw err;
  }
}

function notify(vars: Vars): GatewayConfig['notify'] {
  const from = str(vars, 'NOTIFY_EMAIL_FROM');
  const to = str(vars, 'NOTIFY_EMAIL_TO');
  if ((from === undefined) !== (to === undefined)) throw new ConfigError(from ? 'NOTIFY_EMAIL_TO' : 'NOTIFY_EMAIL_FROM', 'must be set together with the other NOTIFY_EMAIL_* variable');
  for (const [name, v] of [['NOTIFY_EMAIL_FROM', from], ['NOTIFY_EMAIL_TO', to]] as const) {
    if (v !== undefined && !/^[^\s@<>]+@[^\s@<>]+$/.test(v)) throw new ConfigError(name, 'must be an email address');
  }
  return { webhookUrl: optionalUrl(vars, 'NOTIFY_WEBHOOK_URL'), email: from && to ? { from, to } : undefined };
}

function access(vars: Vars): GatewayConfig['access'] {
  const teamDomain = str(vars, 'CF_ACCESS_TEAM_DOMAIN');
  const audience = str(vars, 'CF_ACCESS_AUD');
  if (teamDomain === undefined && audience === undefined) return undefined;
  if (!teamDomain || !audience) throw new ConfigError(teamDomain ? 'CF_ACCESS_AUD' : 'CF_ACCESS_TEAM_DOMAIN', 'must be set together with the other CF_ACCESS_* variable');
  const base = url(vars, 'CF_ACCESS_TEAM_DOMAIN', teamDomain.startsWith('http') ? teamDomain : `https://${teamDomain}`);
  const roles = json(vars, 'CF_ACCESS_ROLES') ?? {};
  if (typeof roles !== 'object' || roles === null || Array.isArray(roles) || !Object.values(roles).every((r) => r === 'viewer' || r === 'oncall' || r === 'eng-lead')) {
    throw new ConfigError('CF_ACCESS_ROLES', 'must be a JSON object mapping an email (or "*@domain") to viewer, oncall or eng-lead');
  }
  return { teamDomain: base.replace(/\/+$/, ''), audience, roles: roles as Record<string, AdminRole> };
}

/** Auth0 Management API access (the reconcile job and the courier check); undefined when none of its variables is set. */
function auth0ManagementAccess(vars: Vars): Auth0ManagementAccess | undefined {
  const domain = str(vars, 'AUTH0_DOMAIN');
  const mgmtUrl = optionalUrl(vars, 'AUTH0_MANAGEMENT_URL');
  const clientId = str(vars, 'AUTH0_MGMT_CLIENT_ID');
  const clientSecret = str(vars, 'AUTH0_MGMT_CLIENT_SECRET');
  const connection = str(vars, 'AUTH0_CONNECTION');
  const any = domain ?? mgmtUrl ?? clientId ?? clientSecret ?? connection;
  if (any === undefined) return undefined;
  if (!domain && !mgmtUrl) throw new ConfigError('AUTH0_DOMAIN', 'is required (or AUTH0_MANAGEMENT_URL) when the reconcile job is configured');
  if (domain && !/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) throw new ConfigError('AUTH0_DOMAIN', 'must be a host name like tenant.eu.auth0.com');
  if (!clientId) throw new ConfigError('AUTH0_MGMT_CLIENT_ID', 'is required when the reconcile job is configured');
  if (!clientSecret) throw new ConfigError('AUTH0_MGMT_CLIENT_SECRET', 'is required when the reconcile job is configured');
  if (!connection) throw new ConfigError('AUTH0_CONNECTION', 'is required when the reconcile job is configured (the Auth0 database connection, e.g. Username-Password-Authentication)');
  return { managementUrl: (mgmtUrl ?? `https://${domain}/api/v2`).replace(/\/+$/, ''), clientId, clientSecret, connection };
}

function reconcileConfig(vars: Vars, legacy: ProviderOptions, admin: GatewayConfig['legacyAdmin']): GatewayConfig['reconcile'] {
  // Only the Auth0 kind reads AUTH0_MGMT_*; with Cognito or Clerk they are never validated.
  const auth0 = legacy.kind === 'auth0' ? auth0ManagementAccess(vars) : undefined;
  const kind = legacy.kind === 'ory' ? 'auth0' : legacy.kind;
  // RECONCILE_JOB: `auto` (default) turns it on for Auth0 when AUTH0_MGMT_* are set (those serve nothing else), never
  // for Cognito or Clerk, whose admin access also serves the password migration hook: there it takes `on`.
  const mode = str(vars, 'RECONCILE_JOB') ?? 'auto';
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') throw new ConfigError('RECONCILE_JOB', 'must be auto, on or off');
  if (mode === 'off') return undefined;
  const access = kind === 'auth0' ? auth0 !== undefined : admin !== undefined && !('problem' in admin);
  if (mode === 'on' && !access) {
    if (admin && 'problem' in admin) throw new ConfigError(admin.variable, `${admin.problem.slice(admin.variable.length + 1)} (RECONCILE_JOB=on: the reconcile job writes to ${kind})`);
    throw new ConfigError(kind === 'auth0' ? 'AUTH0_MGMT_CLIENT_ID' : kind === 'cognito' ? 'COGNITO_ACCESS_KEY_ID' : 'CLERK_SECRET_KEY', `is required with RECONCILE_JOB=on (the reconcile job writes to ${kind})`);
  }
  if (!access || (mode === 'auto' && kind !== 'auth0')) return undefined;
  const headers = json(vars, 'KRATOS_ADMIN_HEADERS') ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((h) => typeof h !== 'string')) {
    throw new ConfigError('KRATOS_ADMIN_HEADERS', 'must be a JSON object of string header values');
  }
  return {
    kind,
    auth0,
    kratosAdminUrl: optionalUrl(vars, 'KRATOS_ADMIN_URL'),
    kratosAdminHeaders: headers as Record<string, string>,
  };
}

function passwordMigration(vars: Vars, legacy: ProviderOptions): PasswordMigrationOptions | undefined {
  const apiKey = str(vars, 'PASSWORD_HOOK_API_KEY');
  if (apiKey === undefined) return undefined;
  if (apiKey.length < 32) throw new ConfigError('PASSWORD_HOOK_API_KEY', 'must be at least 32 characters (the hook is a password oracle: use 32 random bytes, base64url)');
  const header = (str(vars, 'PASSWORD_HOOK_CLIENT_IP_HEADER') ?? 'true-client-ip').toLowerCase();
  if (!/^[a-z0-9-]{1,64}$/.test(header)) throw new ConfigError('PASSWORD_HOOK_CLIENT_IP_HEADER', 'must be a header name');
  const common = {
    apiKey,
    timeoutMs: int(vars, 'PASSWORD_HOOK_TIMEOUT_MS', 2500, 100, 10_000),
    forwardClientIp: bool(vars, 'PASSWORD_HOOK_FORWARD_CLIENT_IP', true),
    clientIpHeader: header,
  };
  const get = (name: string) => str(vars, name);
  // Each legacy kind checks passwords its own way and needs its own access (docs/configuration.md).
  switch (legacy.kind) {
    case 'cognito': {
      const cognito = cognitoAdminOptions(get, legacy.issuer);
      if (isProblem(cognito)) throw new ConfigError(cognito.variable, `${cognito.problem} (the password migration hook checks passwords with AdminInitiateAuth)`);
      const clientId = str(vars, 'PASSWORD_HOOK_COGNITO_CLIENT_ID');
      return { ...common, legacy: 'cognito', cognito, clientId: clientId ?? legacy.clientId, clientSecret: clientId === undefined ? legacy.clientSecret : str(vars, 'PASSWORD_HOOK_COGNITO_CLIENT_SECRET') };
    }
    case 'clerk': {
      const clerk = clerkBackendOptions(get);
      if (isProblem(clerk)) throw new ConfigError(clerk.variable, `${clerk.problem} (the password migration hook checks passwords with the Backend API)`);
      return { ...common, legacy: 'clerk', clerk };
    }
    case 'ory':
      throw new ConfigError('LEGACY_PROVIDER', 'must name a legacy kind for the password migration hook');
    case 'auth0':
      break;
  }
  return {
    ...common,
    legacy: 'auth0',
    tokenUrl: optionalUrl(vars, 'PASSWORD_HOOK_AUTH0_TOKEN_URL') ?? `${legacy.issuer.replace(/\/+$/, '')}/oauth/token`,
    clientId: str(vars, 'PASSWORD_HOOK_AUTH0_CLIENT_ID') ?? legacy.clientId,
    clientSecret: str(vars, 'PASSWORD_HOOK_AUTH0_CLIENT_SECRET') ?? legacy.clientSecret,
    realm: str(vars, 'PASSWORD_HOOK_AUTH0_REALM') ?? str(vars, 'AUTH0_CONNECTION') ?? 'Username-Password-Authentication',
  };
}

function legacyAdmin(vars: Vars, legacy: ProviderOptions): GatewayConfig['legacyAdmin'] {
  const get = (name: string) => str(vars, name);
  switch (legacy.kind) {
    case 'cognito': {
      const cognito = cognitoAdminOptions(get, legacy.issuer);
      return isProblem(cognito) ? { kind: 'cognito', variable: cognito.variable, problem: `${cognito.variable} ${cognito.problem}` } : { kind: 'cognito', cognito };
    }
    case 'clerk': {
      const clerk = clerkBackendOptions(get);
      return isProblem(clerk) ? { kind: 'clerk', variable: clerk.variable, problem: `${clerk.variable} ${clerk.problem}` } : { kind: 'clerk', clerk };
    }
    case 'auth0':
    case 'ory':
      return undefined;
  }
}

function courierOf(vars: Vars): 'olympus' | 'legacy' {
  const v = str(vars, 'COURIER') ?? 'legacy';
  if (v !== 'olympus' && v !== 'legacy') throw new ConfigError('COURIER', 'must be "olympus" or "legacy" (the one system that sends transactional email during the parallel run)');
  return v;
}

function comms(vars: Vars): GatewayConfig['comms'] {
  const pageId = str(vars, 'STATUSPAGE_PAGE_ID');
  const apiKey = str(vars, 'STATUSPAGE_API_KEY');
  if ((pageId === undefined) !== (apiKey === undefined)) throw new ConfigError(pageId ? 'STATUSPAGE_API_KEY' : 'STATUSPAGE_PAGE_ID', 'must be set together with the other STATUSPAGE_* variable');
  if (pageId !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(pageId)) throw new ConfigError('STATUSPAGE_PAGE_ID', 'must be the page id from Statuspage\'s API page (letters and digits)');
  const product = str(vars, 'STATUS_PRODUCT_NAME') ?? 'The team';
  if (product.length > 100) throw new ConfigError('STATUS_PRODUCT_NAME', 'must be at most 100 characters');
  // The user-mail path (src/comms/user-mail.ts): the users' template links to the status page, so it needs one.
  const userMail = userMailConfig((name) => str(vars, name));
  if (isUserMailProblem(userMail)) throw new ConfigError(userMail.variable, userMail.problem);
  const statusPageUrl = optionalUrl(vars, 'STATUS_PAGE_URL');
  if (userMail.kind !== 'legacy' && statusPageUrl === undefined) throw new ConfigError('STATUS_PAGE_URL', `is required when USER_MAIL=${userMail.kind} (the users' email links to it)`);
  return {
    userMail,
    statusPageUrl,
    productName: product,
    statuspage: pageId && apiKey ? { apiUrl: (optionalUrl(vars, 'STATUSPAGE_API_URL') ?? 'https://api.statuspage.io').replace(/\/+$/, ''), pageId, apiKey } : undefined,
  };
}

/** REENABLE_COOLDOWN: "24h", "90m", "30s", "2d", or seconds; 0 only when set so on purpose. */
function cooldown(vars: Vars): number {
  const v = str(vars, 'REENABLE_COOLDOWN');
  if (v === undefined) return 24 * 3600;
  const m = /^(\d{1,7})\s*(s|m|h|d)?$/.exec(v);
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(seconds >= 0 && seconds <= 30 * 86400)) throw new ConfigError('REENABLE_COOLDOWN', 'must be a duration like "24h", "90m" or "0" (at most 30 days)');
  return seconds;
}

/** Parses and validates all configuration. Throws ConfigError naming the first bad variable. */
export function parseConfig(vars: Vars): GatewayConfig {
  const legacy = legacyKind(vars);
  const auth0 = provider(vars, 'auth0', legacy);
  const olympus = provider(vars, 'olympus', PROVIDER_KINDS.ory);
  if (auth0.issuer === olympus.issuer) throw new ConfigError('OLYMPUS_ISSUER', `must differ from ${legacy.envPrefix}_ISSUER`);
  const originUrl = url(vars, 'ORIGIN_URL', required(vars, 'ORIGIN_URL'));
  const sessionSecret = required(vars, 'SESSION_SECRET');
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters (use 32 random bytes, base64url)');
  const admin = legacyAdmin(vars, auth0);
  return {
    providers: { auth0, olympus },
    originUrl: originUrl.replace(/\/+$/, ''),
    publicUrl: optionalUrl(vars, 'PUBLIC_URL')?.replace(/\/+$/, ''),
    sessionSecret,
    sessionTtlSeconds: int(vars, 'SESSION_TTL_SECONDS', 8 * 3600, 60, 30 * 86400),
    tokenOverlapSeconds: int(vars, 'TOKEN_OVERLAP_SECONDS', 1800, 0, 86400),
    signingKey: signingKey(vars),
    publicPaths: publicPaths(vars),
    cookieSecure: bool(vars, 'COOKIE_SECURE', true),
    identifierFirst: bool(vars, 'IDENTIFIER_FIRST', false),
    flagCacheTtlMs: int(vars, 'FLAG_CACHE_TTL_MS', 1000, 0, 60_000),
    introspectionCacheSeconds: int(vars, 'INTROSPECTION_CACHE_SECONDS', 30, 0, 300),
    maxTokenBytes: int(vars, 'MAX_TOKEN_BYTES', 8192, 512, 65536),
    adminTokens: adminTokens(vars),
    ...(() => {
      const r = rules(vars);
      return { rules: r.rules, rulesText: r.text, rulesDefaultText: DEFAULT_RULES_YAML };
    })(),
    notify: notify(vars),
    supportHookSecret: str(vars, 'SUPPORT_HOOK_SECRET'),
    auth0LogStreamToken: str(vars, 'AUTH0_LOG_STREAM_TOKEN'),
    kratosHookToken: str(vars, 'KRATOS_HOOK_TOKEN'),
    mirrorSilenceSeconds: int(vars, 'MIRROR_SILENCE_SECONDS', 300, 10, 86400),
    passwordMigration: passwordMigration(vars, auth0),
    legacyAdmin: admin,
    clientIpHeader: (str(vars, 'CLIENT_IP_HEADER') ?? 'cf-connecting-ip').toLowerCase(),
    clientIpv6Prefix: int(vars, 'CLIENT_IPV6_PREFIX', 64, 32, 128),
    reenableCooldownSeconds: cooldown(vars),
    comms: comms(vars),
    courier: courierOf(vars),
    access: access(vars),
    reconcile: reconcileConfig(vars, auth0, admin),
  };
}

const cache = new WeakMap<object, GatewayConfig | ConfigError>();

/** Per-isolate memo: the env object is stable for an isolate's life, so parsing happens once. */
export function configFromEnv(env: object): GatewayConfig {
  let hit = cache.get(env);
  if (!hit) {
    try {
      hit = parseConfig(env as Vars);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      hit = err;
    }
    cache.set(env, hit);
  }
  if (hit instanceof ConfigError) throw hit;
  return hit;
}
