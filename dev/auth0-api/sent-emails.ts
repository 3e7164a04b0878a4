// The emails the Auth0 tenant would have sent, recorded instead of delivered:
// password reset emails (POST /dbconnections/change_password, the mail path
// the reconcile command uses), verification emails (POST /users with
// email_verified false, unless verify_email is false) and import-job
// completion emails to the tenant owners. Password-change tickets send nothing.

export type SentEmailKind = 'password_reset' | 'verify_email' | 'import_job_completed';

export interface SentEmail {
  kind: SentEmailKind;
  /** Recipient address (tenant owners for import_job_completed). */
  to: string;
  connection?: string;
  client_id?: string;
  user_id?: string;
  job_id?: string;
  /** ISO timestamp. */
  at: string;
}

export const TENANT_OWNERS = 'tenant-owners';

export function recordEmail(emails: SentEmail[], email: Omit<SentEmail, 'at'>): SentEmail {
  const sent = { ...email, at: new Date().toISOString() };
  emails.push(sent);
  return sent;
}
