// The tenant's email provider (Management API v2 `GET /api/v2/emails/provider`, scope
// `read:email_provider`): Auth0 answers the configured provider (`name` among mandrill, sendgrid,
// ses, sparkpost, mailgun, smtp, azure_cs, ms365, custom; `enabled`; `default_from_address`;
// `credentials` without secrets; `settings`), and 404 when none is configured (the tenant then
// sends with Auth0's built-in provider, meant for testing only). `fields` / `include_fields`
// pick the keys, as on the other Management API reads.
// UNCONFIRMED: the 404's message and errorCode ("inexistent_email_provider" is this stand-in's).
import { ManagementApiError } from './auth0-errors.ts';
import type { Reply } from './users-routes.ts';

export interface EmailProvider {
  name: string;
  enabled: boolean;
  default_from_address?: string;
  credentials?: Record<string, string | number>;
  settings?: Record<string, unknown>;
}

/** A configured SMTP provider, the stand-in's default. */
export const DEFAULT_EMAIL_PROVIDER: EmailProvider = {
  name: 'smtp',
  enabled: true,
  default_from_address: 'no-reply@tenant.auth0.test',
  credentials: { smtp_host: 'smtp.tenant.auth0.test', smtp_port: 587, smtp_user: 'auth0-mailer' },
};

export function getEmailProvider(provider: EmailProvider | null, url: URL): Reply {
  if (!provider) throw new ManagementApiError(404, 'Email provider has not been configured.', 'inexistent_email_provider');
  const fields = url.searchParams.get('fields')?.split(',').map((f) => f.trim()).filter(Boolean);
  if (!fields?.length) return { status: 200, body: { ...provider } };
  const include = url.searchParams.get('include_fields') !== 'false';
  const picked = Object.fromEntries(Object.entries(provider).filter(([k]) => fields.includes(k) === include));
  return { status: 200, body: picked };
}
