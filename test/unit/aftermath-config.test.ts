/**
 * The aftermath's configuration in parseConfig: the user-mail path
 * (USER_MAIL) fails closed naming its variable, and needs the status page its
 * template links to; a Cognito or Clerk legacy provider's admin access for
 * the courier check is read leniently (a problem is recorded, never a startup
 * error: the check is advisory).
 */
import { expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';

const BASE = {
  OLYMPUS_ISSUER: 'https://olympus.test', OLYMPUS_CLIENT_ID: 'oc', OLYMPUS_CLIENT_SECRET: 's', OLYMPUS_TOKEN_BINDING: 'client',
  ORIGIN_URL: 'https://origin.test', SESSION_SECRET: 'x'.repeat(40),
  GATEWAY_SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', d: 'd', x: 'x', y: 'y', kid: 'k' }),
  AUTH0_ISSUER: 'https://tenant.auth0.test/', AUTH0_CLIENT_ID: 'ac', AUTH0_CLIENT_SECRET: 's', AUTH0_AUDIENCE: 'https://api.test/',
};
const WEBHOOK = { USER_MAIL: 'webhook', USER_MAIL_URL: 'https://relay.example.test/send', USER_MAIL_TOKEN: 'relay-token-0123456789' };

const variableOf = (vars: Record<string, string>) => {
  try {
    parseConfig(vars);
  } catch (err) {
    if (err instanceof ConfigError) return err.variable;
    throw err;
  }
  return undefined;
};

it('USER_MAIL: legacy by default; webhook needs its URL, token and the status page; a bad value names its variable', () => {
  expect(parseConfig(BASE).comms.userMail).toEqual({ kind: 'legacy' });
  expect(variableOf({ ...BASE, ...WEBHOOK })).toBe('STATUS_PAGE_URL');
  expect(parseConfig({ ...BASE, ...WEBHOOK, STATUS_PAGE_URL: 'https://status.example.test' }).comms.userMail).toEqual({ kind: 'webhook', url: WEBHOOK.USER_MAIL_URL, token: WEBHOOK.USER_MAIL_TOKEN, resetUrl: undefined });
  expect(variableOf({ ...BASE, USER_MAIL: 'smtp' })).toBe('USER_MAIL');
  expect(variableOf({ ...BASE, ...WEBHOOK, USER_MAIL_TOKEN: 'short', STATUS_PAGE_URL: 'https://status.example.test' })).toBe('USER_MAIL_TOKEN');
  expect(variableOf({ ...BASE, USER_MAIL: 'ses', STATUS_PAGE_URL: 'https://status.example.test' })).toBe('USER_MAIL_SES_REGION');
});

it('legacyAdmin: Cognito or Clerk admin access when configured, the problem when not; nothing for Auth0', () => {
  expect(parseConfig(BASE).legacyAdmin).toBeUndefined();
  const cognito = { ...BASE, LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'cc', COGNITO_CLIENT_SECRET: 's' };
  expect(parseConfig(cognito).legacyAdmin).toMatchObject({ kind: 'cognito', problem: expect.stringContaining('COGNITO_ACCESS_KEY_ID') });
  expect(parseConfig({ ...cognito, COGNITO_ACCESS_KEY_ID: 'AKIA', COGNITO_SECRET_ACCESS_KEY: 'secret' }).legacyAdmin).toMatchObject({ kind: 'cognito', cognito: { userPoolId: 'eu-west-1_Pool1', region: 'eu-west-1' } });
  const clerk = { ...BASE, LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'kc', CLERK_CLIENT_SECRET: 's' };
  expect(parseConfig(clerk).legacyAdmin).toMatchObject({ kind: 'clerk', problem: expect.stringContaining('CLERK_SECRET_KEY') });
});

it("reconcile: the gateway's job writes to the legacy kind, enabled by that kind's admin access only", () => {
  const mgmt = { AUTH0_DOMAIN: 'tenant.auth0.test', AUTH0_MGMT_CLIENT_ID: 'm', AUTH0_MGMT_CLIENT_SECRET: 'ms', AUTH0_CONNECTION: 'db' };
  expect(parseConfig(BASE).reconcile).toBeUndefined();
  expect(parseConfig({ ...BASE, ...mgmt }).reconcile).toMatchObject({ kind: 'auth0', auth0: { managementUrl: 'https://tenant.auth0.test/api/v2', connection: 'db' } });
  expect(variableOf({ ...BASE, AUTH0_MGMT_CLIENT_ID: 'm' })).toBe('AUTH0_DOMAIN');
  const cognito = { ...BASE, LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'cc', COGNITO_CLIENT_SECRET: 's' };
  // Without its admin access the job is off (the rollback audits reconcile.not_configured), whatever AUTH0_MGMT_* says.
  expect(parseConfig({ ...cognito, ...mgmt }).reconcile).toBeUndefined();
  const withAccess = { ...cognito, COGNITO_ACCESS_KEY_ID: 'AKIA', COGNITO_SECRET_ACCESS_KEY: 'secret', KRATOS_ADMIN_URL: 'https://kratos.test' };
  // The admin access also serves the password hook: it alone never turns the job on.
  expect(parseConfig(withAccess).reconcile).toBeUndefined();
  expect(parseConfig({ ...withAccess, RECONCILE_JOB: 'on' }).reconcile).toEqual({ kind: 'cognito', auth0: undefined, kratosAdminUrl: 'https://kratos.test', kratosAdminHeaders: {} });
  expect(variableOf({ ...cognito, RECONCILE_JOB: 'on' })).toBe('COGNITO_ACCESS_KEY_ID');
  const clerk = { ...BASE, LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'kc', CLERK_CLIENT_SECRET: 's' };
  expect(variableOf({ ...clerk, RECONCILE_JOB: 'on' })).toBe('CLERK_SECRET_KEY');
  expect(parseConfig({ ...clerk, CLERK_SECRET_KEY: 'sk_test_abc', RECONCILE_JOB: 'on' }).reconcile).toMatchObject({ kind: 'clerk', auth0: undefined });
  expect(parseConfig({ ...BASE, ...mgmt, RECONCILE_JOB: 'off' }).reconcile).toBeUndefined();
  expect(variableOf({ ...BASE, RECONCILE_JOB: 'yes' })).toBe('RECONCILE_JOB');
});
