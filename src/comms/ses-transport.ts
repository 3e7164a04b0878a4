/**
 * The user-mail path through Amazon SES API v2 (`USER_MAIL=ses`): SendEmail,
 * `POST https://email.<region>.amazonaws.com/v2/email/outbound-emails`
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html),
 * a Simple message (Subject and a Text body, UTF-8) from a verified identity,
 * signed with AWS Signature Version 4 for service `ses` by aws4fetch (the
 * dependency the Cognito admin client already uses; WebCrypto, so Workers and
 * Node alike). Errors are `{"message"}` with the name in `x-amzn-ErrorType`.
 *
 * SES takes no idempotency key: an answer lost after the request left may
 * mean the email went out, so it is `unconfirmed` and never retried here (the
 * engines record it as such, as they do for Auth0's own email). The key is
 * sent as an email tag, for tracing in SES's event stream.
 */
import { AwsClient } from 'aws4fetch';
import { failureOf, UserMailError, type UserMail, type UserMailSent } from './user-mail-types.ts';

export interface SesMailConfig {
  region: string;
  /** `https://email.<region>.amazonaws.com` unless a stand-in or a VPC endpoint is used (USER_MAIL_SES_ENDPOINT). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  /** A verified SES identity (USER_MAIL_SES_FROM), e.g. `Example <no-reply@example.com>`. */
  from: string;
  configurationSet: string | undefined;
}

const TIMEOUT_MS = 10_000;
/** SES email tag values: letters, digits, `_`, `-`, `.`, `@` (at most 256). */
const tagValue = (v: string) => v.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

export async function sendSesEmail(cfg: SesMailConfig, mail: UserMail, fetchImpl: typeof fetch = fetch): Promise<UserMailSent> {
  const aws = new AwsClient({ accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, sessionToken: cfg.sessionToken, service: 'ses', region: cfg.region, retries: 0 });
  const body = {
    FromEmailAddress: cfg.from,
    Destination: { ToAddresses: [mail.to] },
    Content: { Simple: { Subject: { Data: mail.subject, Charset: 'UTF-8' }, Body: { Text: { Data: mail.text, Charset: 'UTF-8' } } } },
    EmailTags: [{ Name: 'switchback_key', Value: tagValue(mail.idempotencyKey) }],
    ...(cfg.configurationSet ? { ConfigurationSetName: cfg.configurationSet } : {}),
  };
  let res: Response;
  try {
    const signed = await aws.sign(`${cfg.endpoint.replace(/\/+$/, '')}/v2/email/outbound-emails`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    res = await fetchImpl(signed, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new UserMailError('unconfirmed', 0, `Amazon SES did not answer (the email may have gone out; not retried): ${String(err).slice(0, 200)}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const type = (res.headers.get('x-amzn-errortype') ?? '').split(':')[0]!.replace(/[^A-Za-z0-9]/g, '').slice(0, 80);
    let message = '';
    try {
      const parsed = JSON.parse(text) as { message?: unknown; Message?: unknown };
      message = String(parsed.message ?? parsed.Message ?? '').slice(0, 200);
    } catch {
      // no JSON body
    }
    const reason = failureOf(res.status);
    throw new UserMailError(reason, res.status, `Amazon SES SendEmail answered HTTP ${res.status}${type ? ` ${type}` : ''} (${reason})${message ? `: ${message}` : ''}`);
  }
  let id: string | undefined;
  try {
    const parsed = JSON.parse(text) as { MessageId?: unknown };
    id = typeof parsed.MessageId === 'string' ? parsed.MessageId : undefined;
  } catch {
    // a 2xx without JSON: SES took it
  }
  return { id, duplicate: false };
}

/** Reads USER_MAIL_SES_*; `httpsUrl` checks the endpoint (user-mail.ts's rule). Pure. */
export function sesConfig(get: (name: string) => string | undefined, httpsUrl: (v: string) => string | undefined): SesMailConfig | { variable: string; problem: string } {
  const region = get('USER_MAIL_SES_REGION');
  if (region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return { variable: 'USER_MAIL_SES_REGION', problem: 'is required when USER_MAIL=ses: the SES region, e.g. eu-west-1' };
  const endpoint = get('USER_MAIL_SES_ENDPOINT') ?? `https://email.${region}.amazonaws.com`;
  const bad = httpsUrl(endpoint);
  if (bad) return { variable: 'USER_MAIL_SES_ENDPOINT', problem: bad };
  const from = get('USER_MAIL_SES_FROM');
  if (from === undefined || !/@/.test(from)) return { variable: 'USER_MAIL_SES_FROM', problem: 'is required when USER_MAIL=ses: a verified SES identity to send from, e.g. "Example <no-reply@example.com>"' };
  const accessKeyId = get('USER_MAIL_SES_ACCESS_KEY_ID');
  if (accessKeyId === undefined) return { variable: 'USER_MAIL_SES_ACCESS_KEY_ID', problem: 'is required when USER_MAIL=ses: IAM keys allowed ses:SendEmail on the identity' };
  const secretAccessKey = get('USER_MAIL_SES_SECRET_ACCESS_KEY');
  if (secretAccessKey === undefined) return { variable: 'USER_MAIL_SES_SECRET_ACCESS_KEY', problem: 'is required with USER_MAIL_SES_ACCESS_KEY_ID' };
  return { region, endpoint: endpoint.replace(/\/+$/, ''), accessKeyId, secretAccessKey, sessionToken: get('USER_MAIL_SES_SESSION_TOKEN'), from, configurationSet: get('USER_MAIL_SES_CONFIGURATION_SET') };
}
