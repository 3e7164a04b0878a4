// Public entry point of the local Auth0 (Management API v2 + Authentication
// API) stand-in used by the reconcile tests (bringing Olympus sign-ups back to
// Auth0 after a rollback).
export {
  startAuth0Api,
  FREE_TIER_MANAGEMENT_LIMIT,
  FREE_TIER_TOKEN_LIMIT,
  FREE_TIER_CHANGE_PASSWORD_LIMIT,
  type Auth0ApiHandle,
  type Auth0ApiOptions,
} from './server.ts';
export { createAuth0App, type Auth0AppOptions, type Auth0Tenant } from './app.ts';
export { DEFAULT_AUTH0_CLIENT, MANAGEMENT_SCOPES, type Auth0Client, type TokenClaims } from './oauth-token.ts';
export { CHANGE_PASSWORD_TEXT } from './change-password.ts';
export { IMPORT_PAYLOAD_MAX_BYTES } from './request-body.ts';
export { CUSTOM_HASH_ALGORITHMS, type ImportUserError } from './import-validation.ts';
export { TENANT_OWNERS, type SentEmail, type SentEmailKind } from './sent-emails.ts';
export { TokenBucket, type RateLimitConfig } from './token-bucket.ts';
export type { ImportJob, ImportJobTiming, JobStatus } from './import-jobs.ts';
export type { Auth0Connection, ConnectionOptions, PasswordPolicy } from './connections.ts';
export type { PasswordChangeTicket } from './tickets-route.ts';
export type { Auth0Identity, Auth0User, CustomPasswordHash, NewUserFields, StoredCredential, StoredUser } from './user-store.ts';
export type { FaultOptions, RecordedCall, RequestMatcher } from '../kratos-admin/stand-in-faults.ts';
