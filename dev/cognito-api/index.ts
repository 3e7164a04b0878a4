// Public entry point of the local Amazon Cognito user-pool API stand-in (admin
// operations, SigV4, quotas) and the pool it shares with the Cognito-like
// OIDC stand-in (dev/idp/cognito-like.ts).
export { createCognitoApp, COGNITO_QUOTAS, DEFAULT_COGNITO_CREDENTIALS, DEFAULT_COGNITO_REGION, type CognitoApi, type CognitoAppClient, type CognitoAppOptions, type QuotaCategory } from './app.ts';
export { startCognitoApi, type CognitoApiHandle } from './server.ts';
export { UserPool, CognitoFault, STANDARD_ATTRIBUTES, type PoolUser, type PoolUserStatus, type SentCode, type UserPoolOptions } from './user-pool.ts';
export { poolDirectory, seedPoolUsers } from './directory.ts';
export { verifySigV4, type AwsCredential } from './sigv4-verify.ts';
