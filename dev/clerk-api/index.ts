// Public entry point of the local Clerk Backend API stand-in (users,
// verify_password, digests, rate limits) and the instance it shares with the
// Clerk-like OIDC stand-in (dev/idp/clerk-like.ts).
export { createClerkApp, CLERK_CREATE_USER_LIMIT, CLERK_DEV_RATE_LIMIT, CLERK_PROD_RATE_LIMIT, DEFAULT_CLERK_SECRET_KEY, type ClerkApi, type ClerkAppOptions } from './app.ts';
export { startClerkApi, type ClerkApiHandle } from './server.ts';
export { ClerkInstance, CLERK_HASHERS, plainPassword, type ClerkUserRecord, type StoredPassword } from './instance.ts';
export { instanceDirectory, seedInstanceUsers } from './directory.ts';
