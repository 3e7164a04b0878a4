// Renders a stored identity the way the Kratos admin API does. Kratos hides
// credentials unless they were loaded (list without filters: no `credentials`
// key at all) and strips each credential's `config` unless its type is named
// in `include_credential` (Identity.WithDeclassifiedCredentials).
import type { CredentialType, KratosCredential, KratosIdentity } from './identity-types.ts';

export interface CredentialsView {
  /** false: omit `credentials` (Kratos' default expand for lists). */
  load: boolean;
  /** Types whose `config` (e.g. hashed_password) is emitted. */
  declassify: readonly CredentialType[];
}

export function schemaUrl(baseUrl: string, schemaId: string): string {
  return `${baseUrl}/schemas/${Buffer.from(schemaId).toString('base64url')}`;
}

function credentialView(c: KratosCredential, declassified: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { type: c.type, identifiers: [...c.identifiers].sort() };
  if (declassified && c.config) out.config = structuredClone(c.config);
  out.version = c.version;
  out.created_at = c.created_at;
  out.updated_at = c.updated_at;
  return out;
}

/** JSON body for one identity, keys in Kratos' order. */
export function identityView(identity: KratosIdentity, baseUrl: string, view: CredentialsView): Record<string, unknown> {
  const out: Record<string, unknown> = { id: identity.id };
  if (view.load && identity.credentials && Object.keys(identity.credentials).length > 0) {
    const creds: Record<string, unknown> = {};
    for (const [type, cred] of Object.entries(identity.credentials)) {
      if (cred) creds[type] = credentialView(cred, view.declassify.includes(type as CredentialType));
    }
    out.credentials = creds;
  }
  out.schema_id = identity.schema_id;
  out.schema_url = identity.schema_url ?? schemaUrl(baseUrl, identity.schema_id);
  out.state = identity.state;
  if (identity.state_changed_at) out.state_changed_at = identity.state_changed_at;
  out.traits = structuredClone(identity.traits);
  out.verifiable_addresses = structuredClone(identity.verifiable_addresses);
  out.recovery_addresses = structuredClone(identity.recovery_addresses);
  out.metadata_public = identity.metadata_public === null ? null : structuredClone(identity.metadata_public);
  out.metadata_admin = identity.metadata_admin === null ? null : structuredClone(identity.metadata_admin);
  out.created_at = identity.created_at;
  out.updated_at = identity.updated_at;
  out.organization_id = identity.organization_id ?? null;
  if (identity.external_id) out.external_id = identity.external_id;
  return out;
}
