/**
 * The Cognito user-pool API stand-in (dev/cognito-api) against its published
 * contract, through switchback's own client (src/providers/admin): SigV4
 * refused when missing, wrong or tampered (HTTP 400 and AWS's `__type`), the
 * error shapes mapped to stable reasons, the statuses a user goes through
 * (FORCE_CHANGE_PASSWORD, CONFIRMED, RESET_REQUIRED), quotas
 * (TooManyRequestsException), and the pool shared with the Cognito-like
 * sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClient } from 'aws4fetch';
import { DEFAULT_COGNITO_CREDENTIALS, poolDirectory, startCognitoApi, type CognitoApiHandle } from '../../dev/cognito-api/index.ts';
import { CognitoAdminClient, listUsersFilter, type CognitoAdminOptions } from '../../src/providers/admin/cognito-admin-client.ts';
import { LegacyAdminError } from '../../src/providers/admin/admin-error.ts';

const CLIENT = { clientId: 'app-client-with-secret', clientSecret: 'app-client-secret-value' };
let api: CognitoApiHandle;
let options: CognitoAdminOptions;
let cognito: CognitoAdminClient;
let seq = 0;
const email = () => `user-${++seq}-${Date.now().toString(36)}@example.com`;

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LegacyAdminError) return err.reason;
    throw err;
  }
  return 'resolved';
}

beforeAll(async () => {
  api = await startCognitoApi({ clients: [{ ...CLIENT, adminUserPasswordAuth: true }, { clientId: 'public-client', adminUserPasswordAuth: false }] });
  options = { region: api.region, userPoolId: api.pool.id, endpoint: api.endpoint, ...DEFAULT_COGNITO_CREDENTIALS };
  cognito = new CognitoAdminClient(options);
});
afterAll(() => api?.stop());

describe('SigV4', () => {
  it('an unsigned call is refused before any operation runs', async () => {
    const res = await fetch(api.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers' }, body: JSON.stringify({ UserPoolId: api.pool.id }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('a wrong secret is InvalidSignatureException, an unknown key id UnrecognizedClientException: HTTP 400, auth_refused', async () => {
    const wrongSecret = new CognitoAdminClient({ ...options, secretAccessKey: 'not-the-secret' });
    const err = await wrongSecret.listUsers({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LegacyAdminError);
    expect(err).toMatchObject({ reason: 'auth_refused', status: 400, providerCode: 'InvalidSignatureException', retryable: false });
    const unknownKey = new CognitoAdminClient({ ...options, accessKeyId: 'AKIAUNKNOWN000000000' });
    expect(await unknownKey.listUsers({}).catch((e: unknown) => e)).toMatchObject({ reason: 'auth_refused', status: 400, providerCode: 'UnrecognizedClientException' });
    const otherRegion = new CognitoAdminClient({ ...options, region: 'eu-west-1' });
    expect(await otherRegion.listUsers({}).catch((e: unknown) => e)).toMatchObject({ providerCode: 'InvalidSignatureException' });
  });

  it('a body changed after signing is refused', async () => {
    const aws = new AwsClient({ ...DEFAULT_COGNITO_CREDENTIALS, service: 'cognito-idp', region: api.region, retries: 0 });
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminDeleteUser' };
    const signed = await aws.sign(api.endpoint, { method: 'POST', headers, body: JSON.stringify({ UserPoolId: api.pool.id, Username: 'harmless' }) });
    const res = await fetch(api.endpoint, { method: 'POST', headers: signed.headers, body: JSON.stringify({ UserPoolId: api.pool.id, Username: 'victim' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'InvalidSignatureException' });
    const replayedLate = await aws.sign(api.endpoint, { method: 'POST', headers, body: '{}', aws: { datetime: '20200101T000000Z' } });
    const late = await fetch(replayedLate);
    expect(await late.json()).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringContaining('expired') });
  });
});

describe('users and statuses', () => {
  it('AdminCreateUser (SUPPRESS) leaves FORCE_CHANGE_PASSWORD: the temporary password answers NEW_PASSWORD_REQUIRED', async () => {
    const address = email();
    const created = await cognito.adminCreateUser({ username: address, attributes: { email: address, email_verified: 'true' }, temporaryPassword: 'Temporary-1234' });
    expect(created.status).toBe('FORCE_CHANGE_PASSWORD');
    expect(created.attributes.email).toBe(address);
    expect(await cognito.adminInitiateAuth({ ...CLIENT, username: address, password: 'Temporary-1234' })).toEqual({ kind: 'challenge', challenge: 'NEW_PASSWORD_REQUIRED' });
    expect(await reasonOf(cognito.adminCreateUser({ username: address, attributes: { email: address } }))).toBe('user_exists');
  });

  it('a permanent password makes the user CONFIRMED; wrong password, unknown user and RESET_REQUIRED each have their reason', async () => {
    const address = email();
    await cognito.adminCreateUser({ username: address, attributes: { email: address, email_verified: 'true' } });
    await cognito.adminSetUserPassword({ username: address, password: 'Permanent-5678', permanent: true });
    expect((await cognito.adminGetUser(address)).status).toBe('CONFIRMED');
    expect(await cognito.adminInitiateAuth({ ...CLIENT, username: address, password: 'Permanent-5678' })).toEqual({ kind: 'authenticated' });
    expect(await reasonOf(cognito.adminInitiateAuth({ ...CLIENT, username: address, password: 'wrong-password' }))).toBe('invalid_credentials');
    expect(await reasonOf(cognito.adminInitiateAuth({ ...CLIENT, username: email(), password: 'whatever-1' }))).toBe('user_not_found');
    await cognito.adminResetUserPassword(address);
    expect((await cognito.adminGetUser(address)).status).toBe('RESET_REQUIRED');
    expect(api.pool.sentCodes.at(-1)).toMatchObject({ email: address, code: expect.stringMatching(/^\d{6}$/) });
    expect(await reasonOf(cognito.adminInitiateAuth({ ...CLIENT, username: address, password: 'Permanent-5678' }))).toBe('password_reset_required');
  });

  it('a reset needs a verified email; short passwords are InvalidPasswordException; an MFA user answers a challenge', async () => {
    const address = email();
    await cognito.adminCreateUser({ username: address, attributes: { email: address } });
    expect(await reasonOf(cognito.adminResetUserPassword(address))).toBe('invalid_request');
    expect(await reasonOf(cognito.adminSetUserPassword({ username: address, password: 'short', permanent: true }))).toBe('invalid_password');
    const mfa = email();
    api.pool.seed({ email: mfa, password: 'Mfa-user-pass-1', mfa: true });
    expect(await cognito.adminInitiateAuth({ ...CLIENT, username: mfa, password: 'Mfa-user-pass-1' })).toEqual({ kind: 'challenge', challenge: 'SOFTWARE_TOKEN_MFA' });
  });

  it('SECRET_HASH is required for a client with a secret; a client without the admin flow is refused', async () => {
    const address = email();
    api.pool.seed({ email: address, password: 'Right-pass-123' });
    const err = await cognito.adminInitiateAuth({ clientId: CLIENT.clientId, username: address, password: 'Right-pass-123' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'invalid_request', providerCode: 'NotAuthorizedException' });
    expect(await reasonOf(cognito.adminInitiateAuth({ clientId: 'public-client', username: address, password: 'Right-pass-123' }))).toBe('invalid_request');
  });

  it('ListUsers filters by email (quotes escaped), findUserByEmail, AdminDeleteUser', async () => {
    const address = email();
    const user = await cognito.adminCreateUser({ username: address, attributes: { email: address } });
    expect((await cognito.findUserByEmail(address))?.username).toBe(user.username);
    expect(await cognito.findUserByEmail(`"${address}`)).toBeUndefined();
    expect(listUsersFilter('email', 'a"b\\c')).toBe('email = "a\\"b\\\\c"');
    expect((await cognito.listUsers({ filter: `email ^= "user-"`, limit: 1 })).paginationToken).toBeDefined();
    await cognito.adminDeleteUser(user.username);
    expect(await reasonOf(cognito.adminGetUser(user.username))).toBe('user_not_found');
  });

  it('the pool is the Cognito-like sign-in\'s: confirmed users sign in, FORCE_CHANGE_PASSWORD and RESET_REQUIRED do not', async () => {
    const directory = poolDirectory(api.pool);
    const address = email();
    await cognito.adminCreateUser({ username: address, attributes: { email: address, email_verified: 'true' }, temporaryPassword: 'Temporary-9999' });
    expect(await directory.verify(address, 'Temporary-9999')).toBeUndefined();
    await cognito.adminSetUserPassword({ username: address, password: 'Carried-over-1', permanent: true });
    expect(await directory.verify(address, 'Carried-over-1')).toMatchObject({ email: address });
    await cognito.adminResetUserPassword(address);
    expect(await directory.verify(address, 'Carried-over-1')).toBeUndefined();
    const code = api.pool.sentCodes.at(-1)!.code;
    expect(api.pool.confirmReset(address, code, 'After-reset-22', Date.now())).toBe(true);
    expect(await directory.verify(address, 'After-reset-22')).toMatchObject({ email: address });
  });
});

describe('quotas and faults', () => {
  it('over the UserCreation quota: TooManyRequestsException, throttled and retryable; other categories unaffected', async () => {
    api.setQuota('UserCreation', 5);
    const reasons = await Promise.all(Array.from({ length: 9 }, () => reasonOf(cognito.adminCreateUser({ username: email(), attributes: {} }))));
    expect(reasons.filter((r) => r === 'throttled').length).toBeGreaterThanOrEqual(3);
    expect(reasons.filter((r) => r === 'resolved').length).toBeLessThanOrEqual(6);
    const err = await cognito.adminCreateUser({ username: email(), attributes: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'throttled', status: 400, providerCode: 'TooManyRequestsException', retryable: true });
    expect(await reasonOf(cognito.listUsers({ limit: 1 }))).toBe('resolved');
    api.setQuota('UserCreation', 50);
  });

  it('5xx is upstream_status, a dead endpoint network_error, a slow one timeout: all retryable', async () => {
    api.failNext(1, 500);
    expect(await reasonOf(cognito.listUsers({ limit: 1 }))).toBe('upstream_status');
    api.setLatency(300);
    expect(await reasonOf(cognito.listUsers({ limit: 1 }, { timeoutMs: 100 }))).toBe('timeout');
    api.setLatency(0);
    const dead = new CognitoAdminClient({ ...options, endpoint: 'http://127.0.0.1:9/' });
    const err = await dead.listUsers({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'network_error', retryable: true });
    expect(String((err as Error).message)).not.toContain('127.0.0.1');
  });
});

describe('DescribeUserPool (its EmailConfiguration, for the courier check)', () => {
  it('answers the pool\'s email configuration: COGNITO_DEFAULT by default, DEVELOPER with its SES identity; signed like every call', async () => {
    expect(await cognito.describeEmailConfiguration()).toEqual({ sendingAccount: 'COGNITO_DEFAULT', sourceArn: undefined, from: undefined });
    api.setEmailConfiguration({ EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' });
    expect(await cognito.describeEmailConfiguration()).toEqual({ sendingAccount: 'DEVELOPER', sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', from: 'no-reply@example.com' });
    api.setEmailConfiguration(null);
    expect((await cognito.describeEmailConfiguration()).sendingAccount).toBe('COGNITO_DEFAULT');
    const wrongKey = new CognitoAdminClient({ ...options, secretAccessKey: 'not-the-secret-access-key-0000000000000000' });
    expect(await reasonOf(wrongKey.describeEmailConfiguration())).not.toBe('resolved');
    const otherPool = new CognitoAdminClient({ ...options, userPoolId: `${api.region}_Nope12345` });
    expect(await reasonOf(otherPool.describeEmailConfiguration())).toBe('invalid_request');
  });
});
