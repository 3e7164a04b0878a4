/**
 * The parts of an Ory Kratos identity the reconcile reads (admin API JSON,
 * and the after-registration web hook payload), validated loosely: Kratos
 * schemas differ per deployment, so only what is used is checked.
 */
export interface KratosIdentity {
  id: string;
  created_at: string;
  traits: Record<string, unknown>;
  verifiable_addresses?: { value: string; verified: boolean; via?: string }[];
  metadata_admin?: Record<string, unknown> | null;
  external_id?: string | null;
  credentials?: { password?: { config?: { hashed_password?: string; use_password_migration_hook?: boolean }; updated_at?: string } };
  state?: string;
}

export function isKratosIdentity(v: unknown): v is KratosIdentity {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.id === 'string' && typeof o.created_at === 'string' && !Number.isNaN(Date.parse(o.created_at)) && typeof o.traits === 'object' && o.traits !== null;
}
