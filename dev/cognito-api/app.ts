// A local stand-in for Amazon Cognito's user-pool API (AWS is not reachable
// from the tests), following the published contract
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html):
// - one endpoint, `POST /`, the operation in `X-Amz-Target:
//   AWSCognitoIdentityProviderService.<Operation>`, JSON 1.1 bodies;
// - every call signed with SigV4 for service `cognito-idp` and the pool's
//   region (sigv4-verify.ts), refused before anything else otherwise;
// - errors as HTTP 400 `{"__type": ..., "message": ...}` with the name in
//   `x-amzn-ErrorType` too; service exceptions carry the model's namespace
//   (`com.amazonaws.cognito.identity.idp.model#NotAuthorizedException`),
//   which clients strip (botocore parsers.py);
// - request-rate quotas per operation category, account-wide, as token
//   buckets (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html):
//   UserAuthentication 120/s, UserCreation 50/s, UserAccountRecovery 30/s,
//   UserRead 120/s, UserList 30/s, UserDeletion 50/s, UserUpdate 25/s,
//   UserPoolRead 15/s (UNCONFIRMED: the categories of AdminSetUserPassword,
//   here UserAccountRecovery, of AdminDeleteUser and of
//   AdminUpdateUserAttributes; re-check the live quotas page); over quota:
//   TooManyRequestsException;
// - the operations switchback uses: AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH
//   only, SECRET_HASH checked for clients with a secret), AdminCreateUser,
//   AdminSetUserPassword, AdminResetUserPassword, AdminGetUser,
//   AdminUpdateUserAttributes, AdminDeleteUser, ListUsers (user-pool.ts holds
//   the statuses and the schema), DescribeUserPool (the pool's
//   SchemaAttributes with its custom attributes, UsernameAttributes: email,
//   recovery by verified email, its EmailConfiguration: email-configuration.ts;
//   API_DescribeUserPool.html, UserPoolType).
// Tokens in AuthenticationResult are random strings, not JWTs: nothing here
// reads them (the Cognito-like OIDC stand-in issues the real ones).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { FaultInjector, recordRequest, type RecordedCall } from '../kratos-admin/stand-in-faults.ts';
import { TokenBucket } from '../auth0-api/token-bucket.ts';
import { verifySigV4, type AwsCredential } from './sigv4-verify.ts';
import { CognitoFault, STANDARD_ATTRIBUTES, UserPool, type PoolUser } from './user-pool.ts';
import { DEFAULT_EMAIL_CONFIGURATION, describeEmailConfiguration, type EmailConfiguration } from './email-configuration.ts';

export const COGNITO_QUOTAS = {
  UserAuthentication: 120,
  UserCreation: 50,
  UserAccountRecovery: 30,
  UserRead: 120,
  UserList: 30,
  UserDeletion: 50,
  UserUpdate: 25,
  UserPoolRead: 15,
} as const;
export type QuotaCategory = keyof typeof COGNITO_QUOTAS;

const OPERATIONS = {
  AdminInitiateAuth: 'UserAuthentication',
  AdminCreateUser: 'UserCreation',
  AdminSetUserPassword: 'UserAccountRecovery',
  AdminResetUserPassword: 'UserAccountRecovery',
  AdminGetUser: 'UserRead',
  ListUsers: 'UserList',
  AdminDeleteUser: 'UserDeletion',
  AdminUpdateUserAttributes: 'UserUpdate',
  DescribeUserPool: 'UserPoolRead',
} as const satisfies Record<string, QuotaCategory>;
export type CognitoOperation = keyof typeof OPERATIONS;

export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const NAMESPACE = 'com.amazonaws.cognito.identity.idp.model#';
/** Errors AWS's front door answers (no model namespace). */
const FRONT_DOOR = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'SerializationException', 'UnknownOperationException']);

export const DEFAULT_COGNITO_REGION = 'us-east-1';
export const DEFAULT_COGNITO_CREDENTIALS = { accessKeyId: 'AKIASWITCHBACKLOCAL01', secretAccessKey: 'switchback-local-cognito-secret-access-key-0000' } as const;

export interface CognitoAppClient {
  clientId: string;
  clientSecret?: string;
  /** ALLOW_ADMIN_USER_PASSWORD_AUTH among the client's ExplicitAuthFlows. */
  adminUserPasswordAuth: boolean;
}

export interface CognitoAppOptions {
  region?: string;
  /** Default `<region>_SwItChBk1`. */
  userPoolId?: string;
  /** IAM keys allowed to call; default DEFAULT_COGNITO_CREDENTIALS. */
  credentials?: Record<string, AwsCredential>;
  clients?: CognitoAppClient[];
  /** Requests per second per category (also the burst); default COGNITO_QUOTAS. */
  quotas?: Partial<Record<QuotaCategory, number>>;
  /** A pool shared with the Cognito-like OIDC stand-in (directory.ts); default a new, empty one. */
  pool?: UserPool;
  /** Custom attributes declared in a new pool's schema (without `custom:`); ignored when `pool` is given. */
  customAttributes?: readonly string[];
  /** The pool setting PreventUserExistenceErrors: an unknown user signs in as NotAuthorizedException. */
  preventUserExistenceErrors?: boolean;
  /** The pool's EmailConfiguration (default COGNITO_DEFAULT; null: none set). */
  emailConfiguration?: EmailConfiguration | null;
  now?: () => number;
}

export interface CognitoApi {
  region: string;
  pool: UserPool;
  calls: RecordedCall[];
  /** The operations called, in order (X-Amz-Target without its prefix). */
  operations: string[];
  /** ContextData.IpAddress of each AdminInitiateAuth that sent one (the end user's address, for threat protection). */
  contextIps: string[];
  faults: FaultInjector;
  failNext(count: number, status?: number): void;
  setLatency(ms: number): void;
  setQuota(category: QuotaCategory, perSecond: number): void;
  /** What DescribeUserPool answers as EmailConfiguration (null: none set). */
  setEmailConfiguration(e: EmailConfiguration | null): void;
}

type Body = Record<string, unknown>;

function requireString(body: Body, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw new CognitoFault('InvalidParameterException', `1 validation error detected: Value at '${field.charAt(0).toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return v;
}

function attributeList(user: PoolUser) {
  return Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value }));
}

function userType(user: PoolUser) {
  return { Username: user.username, Attributes: attributeList(user), UserCreateDate: user.createdAt / 1000, UserLastModifiedDate: user.updatedAt / 1000, Enabled: user.enabled, UserStatus: user.status };
}

export function createCognitoApp(options: CognitoAppOptions = {}): { app: Hono; api: CognitoApi } {
  const region = options.region ?? DEFAULT_COGNITO_REGION;
  const poolId = options.userPoolId ?? `${region}_SwItChBk1`;
  const pool = options.pool ?? new UserPool(poolId, { customAttributes: options.customAttributes });
  const now = options.now ?? Date.now;
  const credentials = new Map(Object.entries(options.credentials ?? { [DEFAULT_COGNITO_CREDENTIALS.accessKeyId]: { secretAccessKey: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey } }));
  const clients = new Map((options.clients ?? []).map((c) => [c.clientId, c]));
  const buckets = new Map<QuotaCategory, TokenBucket>();
  const setQuota = (category: QuotaCategory, perSecond: number) => buckets.set(category, new TokenBucket({ limit: perSecond, perSeconds: 1 }, now));
  for (const category of Object.keys(COGNITO_QUOTAS) as QuotaCategory[]) setQuota(category, options.quotas?.[category] ?? COGNITO_QUOTAS[category]);
  const calls: RecordedCall[] = [];
  const operations: string[] = [];
  const contextIps: string[] = [];
  const faults = new FaultInjector();
  let emailConfiguration = options.emailConfiguration === undefined ? DEFAULT_EMAIL_CONFIGURATION : options.emailConfiguration;

  const fail = (c: Context, type: string, message: string, status = 400) =>
    c.body(JSON.stringify({ __type: FRONT_DOOR.has(type) ? type : `${NAMESPACE}${type}`, message }), status as 400, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.cognito.identity.idp.model/`,
      'x-amzn-requestid': randomUUID(),
    });

  const handlers: Record<CognitoOperation, (body: Body) => Body> = {
    AdminInitiateAuth(body) {
      const clientId = requireString(body, 'ClientId');
      const client = clients.get(clientId);
      if (!client) throw new CognitoFault('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
      if (body.AuthFlow !== 'ADMIN_USER_PASSWORD_AUTH' || !client.adminUserPasswordAuth) throw new CognitoFault('InvalidParameterException', 'Auth flow not enabled for this client');
      const params = (typeof body.AuthParameters === 'object' && body.AuthParameters !== null ? body.AuthParameters : {}) as Record<string, unknown>;
      const username = typeof params.USERNAME === 'string' ? params.USERNAME : '';
      const password = typeof params.PASSWORD === 'string' ? params.PASSWORD : '';
      if (!username || !password) throw new CognitoFault('InvalidParameterException', 'Missing required parameter USERNAME or PASSWORD');
      const context = body.ContextData as { IpAddress?: unknown; ServerName?: unknown; ServerPath?: unknown; HttpHeaders?: unknown } | undefined;
      if (context !== undefined) {
        if (typeof context.IpAddress !== 'string' || typeof context.ServerName !== 'string' || typeof context.ServerPath !== 'string' || !Array.isArray(context.HttpHeaders)) {
          throw new CognitoFault('InvalidParameterException', 'ContextData requires IpAddress, ServerName, ServerPath and HttpHeaders');
        }
        contextIps.push(context.IpAddress);
      }
      if (client.clientSecret !== undefined) {
        const expected = createHmac('sha256', client.clientSecret).update(username + clientId).digest('base64');
        if (params.SECRET_HASH !== expected) throw new CognitoFault('NotAuthorizedException', `Unable to verify secret hash for client ${clientId}`);
      }
      let outcome: ReturnType<UserPool['authenticate']>;
      try {
        outcome = pool.authenticate(username, password);
      } catch (err) {
        if (err instanceof CognitoFault && err.type === 'UserNotFoundException' && options.preventUserExistenceErrors) throw new CognitoFault('NotAuthorizedException', 'Incorrect username or password.');
        throw err;
      }
      if (outcome.challenge) {
        return { ChallengeName: outcome.challenge, Session: randomBytes(48).toString('base64url'), ChallengeParameters: { USER_ID_FOR_SRP: outcome.user.username } };
      }
      const token = () => randomBytes(32).toString('base64url');
      return { AuthenticationResult: { AccessToken: token(), IdToken: token(), RefreshToken: token(), ExpiresIn: 3600, TokenType: 'Bearer' }, ChallengeParameters: {} };
    },
    AdminCreateUser(body) {
      const username = requireString(body, 'Username');
      const attrs: Record<string, string> = {};
      for (const a of Array.isArray(body.UserAttributes) ? (body.UserAttributes as { Name?: unknown; Value?: unknown }[]) : []) {
        if (typeof a?.Name !== 'string' || typeof a.Value !== 'string') throw new CognitoFault('InvalidParameterException', 'Invalid user attributes');
        attrs[a.Name] = a.Value;
      }
      if (body.MessageAction !== undefined && body.MessageAction !== 'SUPPRESS' && body.MessageAction !== 'RESEND') throw new CognitoFault('InvalidParameterException', 'Invalid MessageAction');
      // Without SUPPRESS Cognito sends an invitation with the temporary password; the stand-in sends nothing and says so.
      if (body.MessageAction !== 'SUPPRESS') throw new CognitoFault('InvalidParameterException', 'The stand-in only creates users with MessageAction SUPPRESS');
      const temporary = typeof body.TemporaryPassword === 'string' ? body.TemporaryPassword : undefined;
      return { User: userType(pool.create(username, attrs, temporary, now())) };
    },
    AdminSetUserPassword(body) {
      pool.setPassword(requireString(body, 'Username'), requireString(body, 'Password'), body.Permanent === true, now());
      return {};
    },
    AdminResetUserPassword(body) {
      pool.resetPassword(requireString(body, 'Username'), now());
      return {};
    },
    AdminUpdateUserAttributes(body) {
      const attrs: Record<string, string> = {};
      for (const a of Array.isArray(body.UserAttributes) ? (body.UserAttributes as { Name?: unknown; Value?: unknown }[]) : []) {
        if (typeof a?.Name !== 'string' || typeof a.Value !== 'string') throw new CognitoFault('InvalidParameterException', 'Invalid user attributes');
        attrs[a.Name] = a.Value;
      }
      pool.updateAttributes(requireString(body, 'Username'), attrs, now());
      return {};
    },
    DescribeUserPool() {
      const standard = STANDARD_ATTRIBUTES.map((Name) => ({ Name, AttributeDataType: Name.endsWith('_verified') ? 'Boolean' : 'String', Mutable: Name !== 'sub', Required: Name === 'email' || Name === 'sub', DeveloperOnlyAttribute: false }));
      const custom = [...pool.customAttributes].map((n) => ({ Name: `custom:${n}`, AttributeDataType: 'String', Mutable: true, Required: false, DeveloperOnlyAttribute: false, StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' } }));
      return {
        UserPool: {
          Id: pool.id,
          Name: 'switchback-local',
          SchemaAttributes: [...standard, ...custom],
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
          AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
          EstimatedNumberOfUsers: pool.users.size,
          ...describeEmailConfiguration(emailConfiguration),
        },
      };
    },
    AdminGetUser(body) {
      const user = pool.get(requireString(body, 'Username'));
      return { Username: user.username, UserAttributes: attributeList(user), UserCreateDate: user.createdAt / 1000, UserLastModifiedDate: user.updatedAt / 1000, Enabled: user.enabled, UserStatus: user.status };
    },
    AdminDeleteUser(body) {
      pool.delete(requireString(body, 'Username'));
      return {};
    },
    ListUsers(body) {
      const limit = body.Limit === undefined ? 60 : body.Limit;
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 60) throw new CognitoFault('InvalidParameterException', "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60");
      const found = pool.filter(typeof body.Filter === 'string' ? body.Filter : undefined);
      if (!found) throw new CognitoFault('InvalidParameterException', 'Invalid search filter');
      const start = typeof body.PaginationToken === 'string' ? Number(atob(body.PaginationToken)) : 0;
      if (!Number.isInteger(start) || start < 0) throw new CognitoFault('InvalidParameterException', 'Invalid pagination token');
      const page = found.slice(start, start + limit);
      const next = start + limit < found.length ? btoa(String(start + limit)) : undefined;
      return { Users: page.map(userType), ...(next ? { PaginationToken: next } : {}) };
    },
  };

  const app = new Hono();
  app.use(async (c, next) => {
    const call = recordRequest(calls, c.req.method, new URL(c.req.url));
    await next();
    call.status = c.res.status;
  });
  app.post('/', async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    await faults.delay();
    const fault = faults.take('POST', '/');
    if (fault?.kind === 'status') return fail(c, fault.status >= 500 ? 'InternalErrorException' : 'TooManyRequestsException', 'Injected failure', fault.status);
    const signed = await verifySigV4({ method: 'POST', url: c.req.url, headers: c.req.raw.headers, body: bytes }, { region, service: 'cognito-idp', credentials, now: now() });
    if ('name' in signed) return fail(c, signed.name, signed.message, signed.name === 'MissingAuthenticationTokenException' ? 403 : 400);
    const target = c.req.header('x-amz-target') ?? '';
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (!Object.hasOwn(OPERATIONS, operation)) return fail(c, 'UnknownOperationException', '');
    operations.push(operation);
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-amz-json-1.1')) return fail(c, 'SerializationException', 'Unexpected content type');
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return fail(c, 'SerializationException', 'Malformed JSON body');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(c, 'SerializationException', 'The body must be a JSON object');
    if (!buckets.get(OPERATIONS[operation as CognitoOperation])!.take().allowed) return fail(c, 'TooManyRequestsException', 'Too many requests');
    if ((body as Body).UserPoolId !== pool.id) return fail(c, 'ResourceNotFoundException', `User pool ${String((body as Body).UserPoolId).slice(0, 60)} does not exist.`);
    try {
      return c.body(JSON.stringify(handlers[operation as CognitoOperation](body as Body)), 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    } catch (err) {
      if (err instanceof CognitoFault) return fail(c, err.type, err.message);
      console.error('[cognito-api]', err);
      return fail(c, 'InternalErrorException', 'Internal error', 500);
    }
  });
  app.notFound((c) => fail(c, 'UnknownOperationException', '', 404));

  return {
    app,
    api: {
      region,
      pool,
      calls,
      operations,
      contextIps,
      faults,
      failNext: (count, status) => faults.failNext(count, status),
      setLatency: (ms) => faults.setLatency(ms),
      setQuota,
      setEmailConfiguration: (e) => {
        emailConfiguration = e;
      },
    },
  };
}
