// Machine-to-machine tokens for the Management API: POST /oauth/token with
// grant_type=client_credentials and audience https://{tenant}/api/v2/, answered
// with { access_token, scope, expires_in, token_type: "Bearer" } (default
// lifetime 86400 s), and the bearer checks the Management API applies
// (missing → 401 "Missing authentication", not a JWT → 400 "Bad HTTP
// authentication header format", bad signature/expired → 401). Tokens are
// HS256 JWTs signed with a per-server secret.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthApiError, ManagementApiError } from './auth0-errors.ts';

export interface Auth0Client {
  client_id: string;
  client_secret: string;
  /** Management API scopes granted to this client (default: all the stand-in knows). */
  scopes?: string[];
  /** The application's enabled grants (default ["client_credentials"]); the hook's needs the password-realm grant. */
  grantTypes?: string[];
  /** "Trust Token Endpoint IP Header": auth0-forwarded-for is honoured for this (confidential) client. */
  trustForwardedFor?: boolean;
}

export const MANAGEMENT_SCOPES = [
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'create:user_tickets',
  'read:connections',
  'read:email_provider',
] as const;

export const DEFAULT_AUTH0_CLIENT: Auth0Client = {
  client_id: 'switchback-reconcile',
  client_secret: 'switchback-reconcile-secret',
};

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  scope: string;
  gty: string;
  azp: string;
  jti: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  readonly #secret = randomBytes(32);
  readonly #clients: Map<string, Auth0Client>;
  /** jti of every token issued, and of those force-expired by expireAll(). */
  readonly #issued = new Set<string>();
  readonly #expired = new Set<string>();

  constructor(
    clients: readonly Auth0Client[],
    readonly audiences: readonly string[],
    readonly issuer: string,
    readonly ttlSeconds: number,
  ) {
    this.#clients = new Map(clients.map((c) => [c.client_id, c]));
  }

  hasClient(clientId: string): boolean {
    return this.#clients.has(clientId);
  }

  clientIds(): string[] {
    return [...this.#clients.keys()];
  }

  /** The client of a token request (client_id + client_secret), or 401 access_denied. */
  authenticate(params: Record<string, unknown>): Auth0Client {
    const client = typeof params.client_id === 'string' ? this.#clients.get(params.client_id) : undefined;
    if (!client || typeof params.client_secret !== 'string' || !safeEqual(params.client_secret, client.client_secret)) {
      throw new AuthApiError(401, 'access_denied', 'Unauthorized');
    }
    return client;
  }

  /** Handles the token request parameters (body merged with HTTP Basic credentials). */
  issue(params: Record<string, unknown>): Record<string, unknown> {
    const grantType = params.grant_type;
    if (typeof grantType !== 'string' || grantType === '') {
      throw new AuthApiError(400, 'invalid_request', 'Missing required parameter: grant_type');
    }
    this.authenticate(params);
    const client = this.#clients.get(params.client_id as string)!;
    if (grantType !== 'client_credentials') {
      throw new AuthApiError(403, 'unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
    }
    const audience = params.audience;
    if (typeof audience !== 'string' || audience === '') {
      throw new AuthApiError(403, 'access_denied', 'No audience parameter was provided, and no default audience has been configured');
    }
    if (!this.audiences.includes(audience)) {
      throw new AuthApiError(403, 'access_denied', `Service not enabled within domain: ${audience}`);
    }
    const scope = (client.scopes ?? MANAGEMENT_SCOPES).join(' ');
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      iss: this.issuer,
      sub: `${client.client_id}@clients`,
      aud: audience,
      iat,
      exp: iat + this.ttlSeconds,
      scope,
      gty: 'client-credentials',
      azp: client.client_id,
      jti: randomBytes(12).toString('hex'),
    };
    this.#issued.add(claims.jti);
    return { access_token: this.#sign(claims), scope, expires_in: this.ttlSeconds, token_type: 'Bearer' };
  }

  /** Validates an Authorization header for the Management API and returns the token's claims. */
  verify(authorization: string | undefined): TokenClaims {
    if (!authorization) throw new ManagementApiError(401, 'Missing authentication');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const token = match?.[1];
    if (!token || token.split('.').length !== 3) {
      throw new ManagementApiError(400, 'Bad HTTP authentication header format', 'Bearer');
    }
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const expected = createHmac('sha256', this.#secret).update(`${header}.${payload}`).digest('base64url');
    if (!safeEqual(signature, expected)) throw invalidToken('Invalid signature received for JSON Web Token validation.');
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw invalidToken('Invalid token');
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp <= now || this.#expired.has(claims.jti)) throw invalidToken('Expired token received for JSON Web Token validation');
    if (!this.#clients.has(claims.azp)) throw invalidToken('Client is not global.');
    return claims;
  }

  /** Makes every token issued so far expired (to test token refresh). */
  expireAll(): void {
    for (const jti of this.#issued) this.#expired.add(jti);
  }

  #sign(claims: TokenClaims): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'stand-in' }));
    const payload = b64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.#secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}

function invalidToken(message: string): ManagementApiError {
  return new ManagementApiError(401, message, undefined, { error: message });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Fails with 403 insufficient_scope unless the token carries one of `anyOf`. */
export function requireScope(claims: TokenClaims, anyOf: readonly string[]): void {
  const granted = new Set(claims.scope.split(' '));
  if (!anyOf.some((s) => granted.has(s))) {
    throw new ManagementApiError(403, `Insufficient scope, expected any of: ${anyOf.join(',')}`, 'insufficient_scope');
  }
}
