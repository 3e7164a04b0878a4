/**
 * The gateway with another legacy kind (LEGACY_PROVIDER=cognito|clerk): the
 * same worker and bindings as the runtime tests, with the legacy role's
 * variables replaced by that kind's. One env object per kind, so the
 * per-isolate config memo parses it once, as in production.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../../src/worker.ts';
import type { LegacyKindId } from '../../../src/providers/kinds/kind.ts';
import { GATEWAY, LEGACY_CLIENTS, LEGACY_ISSUERS, CLERK_APP_ORIGIN } from './constants.ts';
import { nextClientIp, testEnv } from './gateway.ts';
import { CLERK_API_URL, COGNITO_ADMIN_ENDPOINT } from './fake-network.ts';
import { DEFAULT_COGNITO_CREDENTIALS } from '../../../dev/cognito-api/app.ts';
import { DEFAULT_CLERK_SECRET_KEY } from '../../../dev/clerk-api/app.ts';

const KIND_VARS: Record<Exclude<LegacyKindId, 'auth0'>, Record<string, string>> = {
  cognito: {
    LEGACY_PROVIDER: 'cognito',
    COGNITO_ISSUER: LEGACY_ISSUERS.cognito,
    COGNITO_CLIENT_ID: LEGACY_CLIENTS.cognito,
    COGNITO_CLIENT_SECRET: `${LEGACY_CLIENTS.cognito}-secret`,
    // The password migration hook's access to the pool (the fake network's user-pool API).
    COGNITO_ADMIN_ENDPOINT,
    COGNITO_ACCESS_KEY_ID: DEFAULT_COGNITO_CREDENTIALS.accessKeyId,
    COGNITO_SECRET_ACCESS_KEY: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey,
  },
  clerk: {
    LEGACY_PROVIDER: 'clerk',
    CLERK_ISSUER: LEGACY_ISSUERS.clerk,
    CLERK_CLIENT_ID: LEGACY_CLIENTS.clerk,
    CLERK_CLIENT_SECRET: `${LEGACY_CLIENTS.clerk}-secret`,
    CLERK_AUTHORIZED_PARTIES: `${CLERK_APP_ORIGIN},${GATEWAY}`,
    CLERK_SECRET_KEY: DEFAULT_CLERK_SECRET_KEY,
    CLERK_API_URL,
  },
};

const envs = new Map<LegacyKindId, object>();

export function envFor(kind: LegacyKindId): object {
  if (kind === 'auth0') return testEnv();
  let env = envs.get(kind);
  if (!env) {
    env = { ...(testEnv() as unknown as Record<string, unknown>), ...KIND_VARS[kind] };
    envs.set(kind, env);
  }
  return env;
}

/** One request to the gateway configured with `kind` as the legacy provider. */
export async function kindGw(kind: LegacyKindId, path: string, init: RequestInit = {}): Promise<Response> {
  const req = new Request(`${GATEWAY}${path}`, { redirect: 'manual', ...init });
  if (!req.headers.has('cf-connecting-ip')) req.headers.set('cf-connecting-ip', nextClientIp());
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, envFor(kind) as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
