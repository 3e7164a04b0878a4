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

const KIND_VARS: Record<Exclude<LegacyKindId, 'auth0'>, Record<string, string>> = {
  cognito: {
    LEGACY_PROVIDER: 'cognito',
    COGNITO_ISSUER: LEGACY_ISSUERS.cognito,
    COGNITO_CLIENT_ID: LEGACY_CLIENTS.cognito,
    COGNITO_CLIENT_SECRET: `${LEGACY_CLIENTS.cognito}-secret`,
  },
  clerk: {
    LEGACY_PROVIDER: 'clerk',
    CLERK_ISSUER: LEGACY_ISSUERS.clerk,
    CLERK_CLIENT_ID: LEGACY_CLIENTS.clerk,
    CLERK_CLIENT_SECRET: `${LEGACY_CLIENTS.clerk}-secret`,
    CLERK_AUTHORIZED_PARTIES: `${CLERK_APP_ORIGIN},${GATEWAY}`,
  },
};

const envs = new Map<LegacyKindId, object>();

export function envFor(kind: LegacyKindId): object {
  if (kind === 'auth0') return testEnv();
  let env = envs.get(kind);
  if (!env) {
    // The password migration hook checks passwords against Auth0 only so far: config refuses it with another kind.
    const { PASSWORD_HOOK_API_KEY: _hook, ...rest } = testEnv() as unknown as Record<string, unknown>;
    env = { ...rest, ...KIND_VARS[kind] };
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
