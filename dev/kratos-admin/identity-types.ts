// The Ory Kratos identity model as the admin API emits it (identity.Identity,
// VerifiableAddress, RecoveryAddress, Credentials), restricted to what the
// switchback identity schema uses: traits { email, first_name?, last_name? }.

/** Credential types Kratos accepts in `include_credential` (identity.CredentialsType). */
export const CREDENTIAL_TYPES = [
  'password',
  'oidc',
  'totp',
  'lookup_secret',
  'webauthn',
  'code',
  'passkey',
  'profile',
  'saml',
  'deviceauthn',
  'identifier_first',
  'link_recovery',
  'code_recovery',
] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export interface KratosCredential {
  type: CredentialType;
  identifiers: string[];
  version: number;
  /** For `password`: { hashed_password } in PHC/MCF format. Only emitted when declassified. */
  config?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface VerifiableAddress {
  id: string;
  value: string;
  verified: boolean;
  via: 'email' | 'sms';
  status: 'pending' | 'sent' | 'completed';
  verified_at?: string;
  created_at: string;
  updated_at: string;
}

export interface RecoveryAddress {
  id: string;
  value: string;
  via: 'email' | 'sms';
  created_at: string;
  updated_at: string;
}

export interface KratosTraits {
  email: string;
  first_name?: string;
  last_name?: string;
  [extra: string]: unknown;
}

/** metadata_admin; identities imported from Auth0 carry their old user id. */
export interface KratosAdminMetadata {
  legacy_auth0_id?: string;
  [extra: string]: unknown;
}

export interface KratosIdentity {
  id: string;
  schema_id: string;
  /** Filled in from the server URL when absent (Kratos computes it on read too). */
  schema_url?: string;
  state: 'active' | 'inactive';
  state_changed_at?: string;
  traits: KratosTraits;
  verifiable_addresses: VerifiableAddress[];
  recovery_addresses: RecoveryAddress[];
  metadata_public: Record<string, unknown> | null;
  metadata_admin: KratosAdminMetadata | null;
  external_id?: string;
  organization_id?: string | null;
  created_at: string;
  updated_at: string;
  credentials?: Partial<Record<CredentialType, KratosCredential>>;
}

export function isCredentialType(value: string): value is CredentialType {
  return (CREDENTIAL_TYPES as readonly string[]).includes(value);
}
