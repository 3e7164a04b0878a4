/** Values shared by vitest.config.ts (Node) and the runtime tests (workerd). Test-only. */
export const ISSUERS = { auth0: 'https://auth0.test/', olympus: 'https://olympus.test' } as const;
export const CLIENTS = { auth0: 'auth0-client', olympus: 'olympus-client' } as const;
export const AUTH0_AUDIENCE = 'https://api.example.test/';
export const ORIGIN = 'https://origin.test';
export const GATEWAY = 'https://gateway.test';
export const INTROSPECTION_URL = 'https://olympus-admin.test/admin/oauth2/introspect';
export const ADMIN = {
  engLead: 'admin-token-eng-lead-0001',
  oncall: 'admin-token-oncall-00001',
  viewer: 'admin-token-viewer-00001',
} as const;
