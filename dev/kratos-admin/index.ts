// Public entry point of the local Ory Kratos admin API stand-in used by the
// reconcile tests (Olympus identities to bring back to Auth0 after a rollback).
export { startKratosAdmin, type KratosAdminHandle, type KratosAdminOptions } from './server.ts';
export { createKratosAdminApp, type KratosAdmin, type KratosAdminAppOptions } from './app.ts';
export { makeIdentities, DEFAULT_SEED_PASSWORD, type MakeIdentitiesOptions } from './make-identities.ts';
export { makeCourierMessage, MESSAGE_STATUSES, type CourierMessage, type CourierMessageSeed, type MessageStatus } from './courier.ts';
export { hashKindOf, pbkdf2Sha256, type KratosHashKind } from './kratos-hashes.ts';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type LinkStyle } from './keyset-page.ts';
export { kratosErrorBody } from './kratos-error.ts';
export { CREDENTIAL_TYPES } from './identity-types.ts';
export type {
  CredentialType,
  KratosAdminMetadata,
  KratosCredential,
  KratosIdentity,
  KratosTraits,
  RecoveryAddress,
  VerifiableAddress,
} from './identity-types.ts';
export type { FaultOptions, RecordedCall, RequestMatcher } from './stand-in-faults.ts';
