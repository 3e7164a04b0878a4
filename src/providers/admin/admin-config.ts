/**
 * What each legacy kind's admin API needs, read from the kind's variables
 * (the password migration hook checks passwords through it; a reconcile
 * target can create users through it). Pure: takes a reader of variables and
 * returns the options or the first problem, naming the variable; config.ts
 * turns a problem into its ConfigError. No secret is ever echoed.
 *
 * Cognito (COGNITO_*): the pool and its region default from COGNITO_ISSUER
 * (`https://cognito-idp.<region>.amazonaws.com/<poolId>`, the region being
 * the pool id's prefix); IAM keys with the cognito-idp:Admin* and ListUsers
 * permissions; the endpoint defaults to the region's.
 * Clerk (CLERK_*): a Backend API secret key (`sk_live_`/`sk_test_`), and the
 * API's URL (default https://api.clerk.com).
 */
import type { KindConfigProblem } from '../kinds/kind.ts';
import type { ClerkBackendOptions } from './clerk-backend-client.ts';
import type { CognitoAdminOptions } from './cognito-admin-client.ts';

export type VarReader = (name: string) => string | undefined;

const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/;
const AWS_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([^/]+)$/;

function httpUrl(name: string, value: string): KindConfigProblem | undefined {
  try {
    const u = new URL(value);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password) return undefined;
  } catch {
    // falls through
  }
  return { variable: name, problem: 'must be an absolute http(s) URL without credentials' };
}

export function cognitoAdminOptions(get: VarReader, issuer: string): CognitoAdminOptions | KindConfigProblem {
  const userPoolId = get('COGNITO_USER_POOL_ID') ?? AWS_ISSUER.exec(issuer)?.[1];
  if (userPoolId === undefined) return { variable: 'COGNITO_USER_POOL_ID', problem: 'is required when COGNITO_ISSUER is not https://cognito-idp.<region>.amazonaws.com/<pool id>' };
  const poolRegion = POOL_ID.exec(userPoolId)?.[1];
  if (poolRegion === undefined) return { variable: 'COGNITO_USER_POOL_ID', problem: 'must be a user pool id like eu-west-1_AbC123' };
  const region = get('COGNITO_REGION') ?? poolRegion;
  if (region !== poolRegion) return { variable: 'COGNITO_REGION', problem: `is ${region} but the user pool id is of region ${poolRegion}` };
  const endpoint = get('COGNITO_ADMIN_ENDPOINT') ?? `https://cognito-idp.${region}.amazonaws.com/`;
  const wrongUrl = httpUrl('COGNITO_ADMIN_ENDPOINT', endpoint);
  if (wrongUrl) return wrongUrl;
  const accessKeyId = get('COGNITO_ACCESS_KEY_ID');
  if (accessKeyId === undefined) return { variable: 'COGNITO_ACCESS_KEY_ID', problem: 'is required: IAM credentials allowed cognito-idp:AdminInitiateAuth (and the reconcile\'s Admin* operations) on the pool' };
  const secretAccessKey = get('COGNITO_SECRET_ACCESS_KEY');
  if (secretAccessKey === undefined) return { variable: 'COGNITO_SECRET_ACCESS_KEY', problem: 'is required with COGNITO_ACCESS_KEY_ID' };
  const sessionToken = get('COGNITO_SESSION_TOKEN');
  return { region, userPoolId, endpoint, accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) };
}

export function clerkBackendOptions(get: VarReader): ClerkBackendOptions | KindConfigProblem {
  const secretKey = get('CLERK_SECRET_KEY');
  if (secretKey === undefined) return { variable: 'CLERK_SECRET_KEY', problem: 'is required: a Backend API secret key (sk_live_... or sk_test_...)' };
  if (!/^sk_(live|test)_[A-Za-z0-9]+$/.test(secretKey)) return { variable: 'CLERK_SECRET_KEY', problem: 'must be a Clerk secret key (sk_live_... or sk_test_...)' };
  const apiUrl = get('CLERK_API_URL') ?? 'https://api.clerk.com';
  const wrongUrl = httpUrl('CLERK_API_URL', apiUrl);
  if (wrongUrl) return wrongUrl;
  return { secretKey, apiUrl: apiUrl.replace(/\/+$/, '') };
}

export function isProblem<T extends object>(v: T | KindConfigProblem): v is KindConfigProblem {
  return 'variable' in v && 'problem' in v;
}
