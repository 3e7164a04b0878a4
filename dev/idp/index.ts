// Public entry point of the local OIDC providers used by `npm start`, e2e tests
// and benchmarks.
export { startAuth0Like, DEFAULT_AUTH0_USERS, DEFAULT_AUTH0_AUDIENCE, AUTH0_ROUTES, AUTH0_RECOVERY_PATH, type Auth0LikeOptions } from './auth0-like.ts';
export {
  startOlympusLike,
  DEFAULT_OLYMPUS_USERS,
  OLYMPUS_ROUTES,
  OLYMPUS_RECOVERY_PATH,
  type OlympusLikeOptions,
} from './olympus-like.ts';
export { startCognitoLike, DEFAULT_COGNITO_USERS, COGNITO_ROUTES, type CognitoLikeOptions } from './cognito-like.ts';
export { startClerkLike, DEFAULT_CLERK_USERS, CLERK_ROUTES, type ClerkLikeOptions } from './clerk-like.ts';
export type { IdpHandle } from './idp-server.ts';
export type { IdpClient } from './base-config.ts';
export type { IdpMode, IdpStats } from './control.ts';
export type { SeedUser, UserClaims } from './users.ts';
