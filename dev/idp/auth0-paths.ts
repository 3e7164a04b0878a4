/**
 * Paths of the Auth0-like stand-in that other modules need without loading
 * oidc-provider (the gateway's dev vars, the e2e tests).
 */

/** Where Auth0's New Universal Login asks for the email of a password reset (database connection of the tenant). */
export const AUTH0_RECOVERY_PATH = '/u/reset-password/request/Username-Password-Authentication';
