// The tenant's database connection (Auth0 strategy "auth0") and GET
// /api/v2/connections?name=…&strategy=…, which the reconcile command uses to
// turn a connection name into the con_… id that import jobs need. Also holds
// the connection's password policy (none/low/fair/good/excellent).
import { newConnectionId, CONNECTION_ID_PATTERN } from './ids.ts';

export type PasswordPolicy = 'none' | 'low' | 'fair' | 'good' | 'excellent';

export interface ConnectionOptions {
  /** Default "Username-Password-Authentication". */
  name?: string;
  /** con_ + 16 alphanumerics; generated when absent. */
  id?: string;
  /** Default "good" (Auth0's default for new database connections). */
  passwordPolicy?: PasswordPolicy;
}

export interface Auth0Connection {
  id: string;
  name: string;
  strategy: 'auth0';
  passwordPolicy: PasswordPolicy;
}

export function makeConnection(options: ConnectionOptions = {}): Auth0Connection {
  const id = options.id ?? newConnectionId();
  if (!CONNECTION_ID_PATTERN.test(id)) throw new Error(`startAuth0Api: connection id must match ${CONNECTION_ID_PATTERN}, got ${id}`);
  return { id, name: options.name ?? 'Username-Password-Authentication', strategy: 'auth0', passwordPolicy: options.passwordPolicy ?? 'good' };
}

/** The connection as GET /api/v2/connections returns it. */
export function connectionView(c: Auth0Connection, enabledClients: string[]): Record<string, unknown> {
  return {
    id: c.id,
    options: {
      mfa: { active: true, return_enroll_settings: true },
      passwordPolicy: c.passwordPolicy,
      brute_force_protection: true,
      strategy_version: 2,
      requires_username: false,
    },
    strategy: c.strategy,
    name: c.name,
    is_domain_connection: false,
    realms: [c.name],
    enabled_clients: enabledClients,
  };
}

export function listConnections(connections: readonly Auth0Connection[], url: URL, enabledClients: string[]): unknown[] {
  const name = url.searchParams.get('name');
  const strategies = url.searchParams.getAll('strategy');
  return connections
    .filter((c) => (name === null || c.name === name) && (strategies.length === 0 || strategies.includes(c.strategy)))
    .map((c) => connectionView(c, enabledClients));
}

/** Auth0's password policies; returns true when `password` satisfies `policy`. */
export function passwordMeetsPolicy(password: string, policy: PasswordPolicy): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  switch (policy) {
    case 'none':
      return password.length >= 1;
    case 'low':
      return password.length >= 6;
    case 'fair':
      return password.length >= 8 && /[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password);
    case 'good':
      return password.length >= 8 && classes >= 3;
    case 'excellent':
      return password.length >= 10 && classes >= 3 && !/(.)\1\1/.test(password);
  }
}
