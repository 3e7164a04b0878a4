/** Values shared by vitest.config.ts (Node) and the runtime tests (workerd). Test-only. */
export const ISSUERS = { auth0: 'https://auth0.test/', olympus: 'https://olympus.test' } as const;
export const CLIENTS = { auth0: 'auth0-client', olympus: 'olympus-client' } as const;
/** The other legacy kinds (LEGACY_PROVIDER=cognito|clerk), served by the fake network too. */
export const LEGACY_ISSUERS = { cognito: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1', clerk: 'https://clerk.example.test' } as const;
export const LEGACY_CLIENTS = { cognito: '4h3ltestappclient0cognito', clerk: 'clerk-oauth-app' } as const;
export const CLERK_APP_ORIGIN = 'https://app.example.test';
export const AUTH0_AUDIENCE = 'https://api.example.test/';
export const ORIGIN = 'https://origin.test';
export const GATEWAY = 'https://gateway.test';
export const INTROSPECTION_URL = 'https://olympus-admin.test/admin/oauth2/introspect';
export const ADMIN = {
  engLead: 'admin-token-eng-lead-0001',
  oncall: 'admin-token-oncall-00001',
  viewer: 'admin-token-viewer-00001',
  // switchback mirror's: the heartbeat and nothing else.
  mirror: 'admin-token-mirror-00001',
} as const;
