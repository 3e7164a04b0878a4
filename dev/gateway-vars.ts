// Builds the gateway's configuration for the local stack: random client
// secrets, session secret, a fresh ES256 assertion-signing key and an admin
// token per role (only their SHA-256 go into the config), plus the [vars] of
// wrangler.toml so config validation sees what the worker will see.
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { exportJWK, generateKeyPair } from 'jose';
import { AUTH0_RECOVERY_PATH } from './idp/auth0-paths.ts';

export const AUTH0_CLIENT_ID = 'switchback-auth0';
export const OLYMPUS_CLIENT_ID = 'switchback-olympus';
export const AUTH0_AUDIENCE = 'https://api.switchback.local/';

export interface GatewaySecrets {
  auth0ClientSecret: string;
  olympusClientSecret: string;
  adminToken: string;
  /** Read-only (viewer) and oncall tokens, for the console's shareable view and rollback-only role. */
  viewerToken: string;
  oncallToken: string;
  /** switchback mirror's heartbeat token (role mirror: the heartbeat and nothing else). */
  mirrorToken: string;
  sessionSecret: string;
  signingKeyJson: string;
}

const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

export async function generateSecrets(): Promise<GatewaySecrets> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `dev-${randomBytes(6).toString('hex')}`, alg: 'ES256' };
  return {
    auth0ClientSecret: random(),
    olympusClientSecret: random(),
    adminToken: `sbadm_${random()}`,
    viewerToken: `sbview_${random()}`,
    oncallToken: `sbcall_${random()}`,
    mirrorToken: `sbmir_${random()}`,
    sessionSecret: random(32),
    signingKeyJson: JSON.stringify(jwk),
  };
}

export interface GatewayVarsInput {
  publicUrl: string;
  originUrl: string;
  auth0Issuer: string;
  olympusIssuer: string;
  olympusUrl: string;
  secrets: GatewaySecrets;
  extraVars?: Record<string, string>;
}

export function gatewayVars(input: GatewayVarsInput): Record<string, string> {
  const { secrets } = input;
  const adminTokens = [
    { name: 'dev-admin', role: 'eng-lead', sha256: createHash('sha256').update(secrets.adminToken).digest('hex') },
    { name: 'dev-oncall', role: 'oncall', sha256: createHash('sha256').update(secrets.oncallToken).digest('hex') },
    { name: 'dev-viewer', role: 'viewer', sha256: createHash('sha256').update(secrets.viewerToken).digest('hex') },
    { name: 'dev-mirror', role: 'mirror', sha256: createHash('sha256').update(secrets.mirrorToken).digest('hex') },
  ];
  return {
    AUTH0_ISSUER: input.auth0Issuer,
    AUTH0_CLIENT_ID,
    AUTH0_CLIENT_SECRET: secrets.auth0ClientSecret,
    AUTH0_AUDIENCE,
    OLYMPUS_ISSUER: input.olympusIssuer,
    OLYMPUS_CLIENT_ID,
    OLYMPUS_CLIENT_SECRET: secrets.olympusClientSecret,
    OLYMPUS_ACCESS_TOKEN_FORMAT: 'opaque',
    // Hydra issues no audience by default: accept only tokens issued to the gateway's own client.
    OLYMPUS_TOKEN_BINDING: 'client',
    OLYMPUS_RECOVERY_URL: `${input.olympusUrl}/self-service/recovery/browser`,
    // The Auth0 stand-in's password reset page (Auth0's /u/reset-password/request/<connection>).
    AUTH0_RECOVERY_URL: new URL(AUTH0_RECOVERY_PATH, input.auth0Issuer).href,
    // The stand-in speaks "Initiating User Registration via OpenID Connect" (prompt=create); real Hydra v2.2+ takes prompt=registration.
    OLYMPUS_SIGNUP_PARAMS: 'prompt=create',
    ORIGIN_URL: input.originUrl,
    PUBLIC_URL: input.publicUrl,
    SESSION_SECRET: secrets.sessionSecret,
    GATEWAY_SIGNING_KEY: secrets.signingKeyJson,
    ADMIN_TOKENS: JSON.stringify(adminTokens),
    PUBLIC_PATHS: '/api/health',
    ...input.extraVars,
  };
}

/** The plain string [vars] of a wrangler.toml (top level only; enough for our config). */
export async function readWranglerVars(configPath: string): Promise<Record<string, string>> {
  const text = await readFile(configPath, 'utf8');
  const vars: Record<string, string> = {};
  let inVars = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inVars = line === '[vars]';
      continue;
    }
    if (!inVars || line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^#\s]+))/.exec(line);
    if (m) vars[m[1]!] = m[2] !== undefined ? JSON.parse(`"${m[2]}"`) : (m[3] ?? m[4]!);
  }
  return vars;
}
