// A local stand-in for Amazon SES API v2's SendEmail (AWS is not reachable
// from the tests), following the published contract
// (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
// - `POST /v2/email/outbound-emails`, a JSON body: FromEmailAddress,
//   Destination.ToAddresses, Content.Simple {Subject, Body.Text/Html} (each
//   {Data, Charset}), optional ConfigurationSetName; 200 {"MessageId"};
// - signed with SigV4 for service `ses` and the region (the Cognito
//   stand-in's verifier, written from the spec), refused before anything
//   else otherwise (403, as SES's REST front door answers);
// - errors as `{"message"}` with the name in `x-amzn-ErrorType`:
//   MessageRejected (400; here an unverified From identity, as in the SES
//   sandbox), BadRequestException (400), TooManyRequestsException (429, over
//   the account's maximum send rate, `maxSendRate` per second);
// - SES has no idempotency key: a repeated request is a second email.
// What it "sends" is recorded (and handed to `onSend`: the stack forwards it
// to the mail catcher).
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { TokenBucket } from '../auth0-api/token-bucket.ts';
import { verifySigV4, type AwsCredential } from '../cognito-api/sigv4-verify.ts';

export const DEFAULT_SES_REGION = 'eu-west-1';
export const DEFAULT_SES_CREDENTIALS = { accessKeyId: 'AKIASWITCHBACKSES001', secretAccessKey: 'switchback-local-ses-secret-access-key-00000000' } as const;

export interface SentSesEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  configurationSet: string | undefined;
  at: string;
}

export interface SesAppOptions {
  region?: string;
  credentials?: Record<string, AwsCredential>;
  /** Verified identities: addresses (`no-reply@example.com`) or domains (`example.com`). */
  verifiedIdentities?: string[];
  /** The account's maximum send rate (emails per second); default 14 (a new production account's). */
  maxSendRate?: number;
  onSend?: (email: SentSesEmail) => void;
  now?: () => number;
}

export interface SesApi {
  region: string;
  sent: SentSesEmail[];
}

const PATH = '/v2/email/outbound-emails';

function fail(c: Context, type: string, message: string, status: 400 | 403 | 404 | 429): Response {
  return c.json({ message }, status, { 'x-amzn-errortype': `${type}:`, 'x-amzn-requestid': randomUUID() });
}

const text = (v: unknown): string | undefined => (typeof v === 'object' && v !== null && typeof (v as { Data?: unknown }).Data === 'string' ? (v as { Data: string }).Data : undefined);

export function createSesApp(options: SesAppOptions = {}): { app: Hono; api: SesApi } {
  const region = options.region ?? DEFAULT_SES_REGION;
  const now = options.now ?? Date.now;
  const credentials = new Map(Object.entries(options.credentials ?? { [DEFAULT_SES_CREDENTIALS.accessKeyId]: { secretAccessKey: DEFAULT_SES_CREDENTIALS.secretAccessKey } }));
  const verified = new Set((options.verifiedIdentities ?? ['example.com']).map((v) => v.toLowerCase()));
  const bucket = new TokenBucket({ limit: options.maxSendRate ?? 14, perSeconds: 1 }, now);
  const sent: SentSesEmail[] = [];
  const app = new Hono();

  app.post(PATH, async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const signed = await verifySigV4({ method: 'POST', url: c.req.url, headers: c.req.raw.headers, body: bytes }, { region, service: 'ses', credentials, now: now() });
    if ('name' in signed) return fail(c, signed.name, signed.message, 403);
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return fail(c, 'BadRequestException', 'Request body must be a JSON object', 400);
    }
    const from = typeof body.FromEmailAddress === 'string' ? body.FromEmailAddress : '';
    const to = (body.Destination as { ToAddresses?: unknown } | undefined)?.ToAddresses;
    const simple = (body.Content as { Simple?: Record<string, unknown> } | undefined)?.Simple;
    const subject = text(simple?.Subject);
    const bodyText = text((simple?.Body as Record<string, unknown> | undefined)?.Text) ?? text((simple?.Body as Record<string, unknown> | undefined)?.Html);
    if (!from) return fail(c, 'BadRequestException', 'FromEmailAddress is required', 400);
    if (!Array.isArray(to) || to.length === 0 || to.length > 50 || !to.every((a) => typeof a === 'string' && /^[^\s@]+@[^\s@]+$/.test(a))) return fail(c, 'BadRequestException', 'Destination.ToAddresses must hold 1 to 50 email addresses', 400);
    if (!simple || subject === undefined || bodyText === undefined) return fail(c, 'BadRequestException', 'Content.Simple with Subject and Body is required', 400);
    // The address inside "Name <address>".
    const address = (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).toLowerCase();
    if (!verified.has(address) && !verified.has(address.split('@')[1] ?? '')) return fail(c, 'MessageRejected', `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${address}`, 400);
    if (!bucket.take().allowed) return fail(c, 'TooManyRequestsException', 'Maximum sending rate exceeded.', 429);
    const email: SentSesEmail = { messageId: `0100${randomUUID().replace(/-/g, '')}-000000`, from, to: to as string[], subject, text: bodyText, configurationSet: typeof body.ConfigurationSetName === 'string' ? body.ConfigurationSetName : undefined, at: new Date(now()).toISOString() };
    sent.push(email);
    options.onSend?.(email);
    return c.json({ MessageId: email.messageId }, 200, { 'x-amzn-requestid': randomUUID() });
  });
  app.notFound((c) => fail(c, 'NotFoundException', 'Not Found', 404));
  return { app, api: { region, sent } };
}
