// The legacy provider's local stand-in for the kind chosen by `--legacy`
// (LEGACY_PROVIDER): Auth0-like (the default), Cognito-like or Clerk-like,
// and the gateway variables that point the legacy role at it. Keeps
// dev/stack.ts kind-agnostic: it asks for "the legacy IdP".
import { AUTH0_AUDIENCE, AUTH0_CLIENT_ID } from './gateway-vars.ts';
import { startAuth0Like, startClerkLike, startCognitoLike, type Auth0LikeOptions, type IdpClient, type IdpHandle, type SeedUser } from './idp/index.ts';
import { DEFAULT_AUTH0_USERS, DEFAULT_CLERK_USERS, DEFAULT_COGNITO_USERS } from './idp/index.ts';
import type { LegacyKindId } from '../src/providers/kinds/kind.ts';
import type { UserDirectory } from './idp/users.ts';
import type { NewMessage } from './mail-catcher/index.ts';
import { COGNITO_MARK_ATTRIBUTES } from '../src/reconcile/cognito-target.ts';
import type { SentCode } from './cognito-api/index.ts';

/** Cognito's default reset-code email (message template "Your password reset code is {####}"), as the mail catcher shows it. */
function cognitoResetMessage(sent: SentCode): NewMessage {
  return { source: 'cognito', from: 'no-reply@verificationemail.com', to: sent.email, subject: 'Your verification code', text: `Your password reset code is ${sent.code}. ` };
}
import { DEFAULT_COGNITO_CREDENTIALS, poolDirectory, seedPoolUsers, startCognitoApi, UserPool, type CognitoApiHandle } from './cognito-api/index.ts';
import { ClerkInstance, DEFAULT_CLERK_SECRET_KEY, instanceDirectory, seedInstanceUsers, startClerkApi, type ClerkApiHandle } from './clerk-api/index.ts';

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
      return startCognitoLike({ users: options.users, extraUsers: options.extraUsers, directory: options.directory, mode: options.mode, logErrors: options.logErrors, port, clients: [client] });
    case 'clerk':
      return startClerkLike({ users: options.users, extraUsers: options.extraUsers, directory: options.directory, mode: options.mode, logErrors: options.logErrors, port, clients: [client] });
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

/**
 * The legacy kind's admin API stand-in (Cognito's user-pool API, Clerk's
 * Backend API), holding the users its sign-in stand-in signs in (pass
 * `directory` to startLegacyIdp): a user the password hook checks, or a
 * reconcile creates or resets, is the one who signs in. `vars` point the
 * gateway at it (used by the password migration hook). Auth0's is the
 * story's Management API stand-in: undefined here.
 */
export interface LegacyAdminApi {
  kind: Exclude<LegacyKindId, 'auth0'>;
  url: string;
  directory: UserDirectory;
  vars: Record<string, string>;
  cognito?: CognitoApiHandle;
  clerk?: ClerkApiHandle;
  stop(): Promise<void>;
}

export async function startLegacyAdminApi(kind: LegacyKindId, input: { clientId: string; clientSecret: string; users: SeedUser[]; port?: number; onEmail?: (message: NewMessage) => void }): Promise<LegacyAdminApi | undefined> {
  switch (kind) {
    case 'auth0':
      return undefined;
    case 'cognito': {
      // The pool declares the custom attributes a reconcile marks its users with (as an operator adds them once),
      // and its reset codes land in the mail catcher as Cognito's emails would.
      const pool = new UserPool('us-east-1_SwItChBk1', { customAttributes: COGNITO_MARK_ATTRIBUTES, onResetCode: input.onEmail && ((sent) => input.onEmail!(cognitoResetMessage(sent))) });
      seedPoolUsers(pool, input.users);
      const cognito = await startCognitoApi({ port: input.port, pool, region: 'us-east-1', userPoolId: pool.id, clients: [{ clientId: input.clientId, clientSecret: input.clientSecret, adminUserPasswordAuth: true }] });
      const vars = {
        COGNITO_USER_POOL_ID: pool.id,
        COGNITO_ADMIN_ENDPOINT: cognito.endpoint,
        COGNITO_ACCESS_KEY_ID: DEFAULT_COGNITO_CREDENTIALS.accessKeyId,
        COGNITO_SECRET_ACCESS_KEY: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey,
      };
      return { kind, url: cognito.url, directory: poolDirectory(pool), vars, cognito, stop: cognito.stop };
    }
    case 'clerk': {
      const instance = new ClerkInstance();
      seedInstanceUsers(instance, input.users);
      const clerk = await startClerkApi({ port: input.port, instance });
      return { kind, url: clerk.url, directory: instanceDirectory(instance), vars: { CLERK_SECRET_KEY: DEFAULT_CLERK_SECRET_KEY, CLERK_API_URL: clerk.url }, clerk, stop: clerk.stop };
    }
  }
}
