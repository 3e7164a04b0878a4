// The legacy provider's local stand-in for the kind chosen by `--legacy`
// (LEGACY_PROVIDER): Auth0-like (the default), Cognito-like or Clerk-like,
// and the gateway variables that point the legacy role at it. Keeps
// dev/stack.ts kind-agnostic: it asks for "the legacy IdP".
import { AUTH0_AUDIENCE, AUTH0_CLIENT_ID } from './gateway-vars.ts';
import { startAuth0Like, startClerkLike, startCognitoLike, type Auth0LikeOptions, type IdpClient, type IdpHandle, type SeedUser } from './idp/index.ts';
import { DEFAULT_AUTH0_USERS, DEFAULT_CLERK_USERS, DEFAULT_COGNITO_USERS } from './idp/index.ts';
import type { LegacyKindId } from '../src/providers/kinds/kind.ts';

export const LEGACY_KINDS = ['auth0', 'cognito', 'clerk'] as const satisfies readonly LegacyKindId[];

/** The gateway's app client at each legacy stand-in (Cognito app clients and Clerk OAuth apps have generated ids). */
export const LEGACY_CLIENT_IDS: Record<LegacyKindId, string> = {
  auth0: AUTH0_CLIENT_ID,
  cognito: '4o9r2switchbacklocalcognito',
  clerk: 'switchback_local_clerk_oauth_app',
};

export const LEGACY_USERS: Record<LegacyKindId, SeedUser[]> = {
  auth0: DEFAULT_AUTH0_USERS,
  cognito: DEFAULT_COGNITO_USERS,
  clerk: DEFAULT_CLERK_USERS,
};

export const LEGACY_LABELS: Record<LegacyKindId, string> = { auth0: 'Auth0', cognito: 'Amazon Cognito', clerk: 'Clerk' };

export interface LegacyIdpInput {
  kind: LegacyKindId;
  port: number;
  client: IdpClient;
  /** Options of the Auth0-like stand-in (users, mode, audiences...); the other kinds take users, extraUsers and mode. */
  options?: Omit<Auth0LikeOptions, 'port' | 'clients'>;
}

export async function startLegacyIdp(input: LegacyIdpInput): Promise<IdpHandle> {
  const { kind, port, client, options = {} } = input;
  switch (kind) {
    case 'auth0':
      return startAuth0Like({ ...options, port, audiences: options.audiences ?? [AUTH0_AUDIENCE], clients: [client] });
    case 'cognito':
      return startCognitoLike({ users: options.users, extraUsers: options.extraUsers, mode: options.mode, logErrors: options.logErrors, port, clients: [client] });
    case 'clerk':
      return startClerkLike({ users: options.users, extraUsers: options.extraUsers, mode: options.mode, logErrors: options.logErrors, port, clients: [client] });
  }
}

/** Variables of the legacy role for a kind other than Auth0 (gatewayVars writes the AUTH0_* ones). */
export function legacyVars(kind: LegacyKindId, idp: IdpHandle, clientSecret: string, publicUrl: string): Record<string, string> {
  switch (kind) {
    case 'auth0':
      return {};
    case 'cognito':
      return { LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: idp.issuer, COGNITO_CLIENT_ID: LEGACY_CLIENT_IDS.cognito, COGNITO_CLIENT_SECRET: clientSecret };
    case 'clerk':
      return { LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: idp.issuer, CLERK_CLIENT_ID: LEGACY_CLIENT_IDS.clerk, CLERK_CLIENT_SECRET: clientSecret, CLERK_AUTHORIZED_PARTIES: publicUrl };
  }
}

/** The Auth0 role variables gatewayVars writes, dropped when another kind holds the legacy role. */
export const AUTH0_ROLE_VARS = ['AUTH0_ISSUER', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_AUDIENCE', 'AUTH0_RECOVERY_URL'];
