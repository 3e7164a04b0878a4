// What Ory Kratos does at the first sign-in of an identity imported with
// `credentials.password.config.use_password_migration_hook: true` and no
// hash (selfservice/hook/password_migration_hook.go, selfservice/strategy/password/login.go):
// it POSTs {"identifier", "password"} (with the web hook template context:
// `request_headers` among others) to the configured hook with its `auth`
// (here an API key in Authorization); 200 {"status": "password_match"} lets
// the user in and Kratos stores its own hash of the password, so the next
// sign-in never calls the hook; 403 (or a 200 with another body) is "wrong
// credentials"; any other status shows "A third-party upstream service
// responded improperly. Please try again later." Kept in its own file, on
// top of the Olympus stand-in's user store, so the store can change shape.
import type { IncomingMessage } from 'node:http';
import type { UserClaims, UserDirectory, UserStore } from './users.ts';

/** An identity as it is imported into Kratos (POST /admin/identities), with no hash. */
export interface ImportedIdentity {
  id: string;
  schema_id?: string;
  traits: { email: string; given_name?: string; family_name?: string };
  credentials: { password: { config: { use_password_migration_hook: true } } };
}

export interface PasswordMigrationHookOptions {
  /** `selfservice.methods.password.config.migrate_hook.config.url` */
  url: string;
  /** `migrate_hook.config.auth` (type api_key, in header, name Authorization): the value sent. */
  authorization: string;
  identities: ImportedIdentity[];
  /** Told of every call and what came of it (tests count calls). */
  onCall?: (result: PasswordCheck) => void;
}

export type PasswordCheck = 'password_match' | 'wrong_credentials' | 'upstream_error';

export const UPSTREAM_IMPROPER = 'A third-party upstream service responded improperly. Please try again later.';

export type VerifyPassword = (email: string, password: string, req: IncomingMessage) => Promise<UserClaims | undefined | 'upstream_error'>;

/** A verifier for the login form: the hook for identities still pending, the store for everyone else. */
export function passwordMigrationVerifier(users: UserDirectory & Partial<Pick<UserStore, 'add'>>, options: PasswordMigrationHookOptions): VerifyPassword {
  const pending = new Map(options.identities.map((i) => [i.traits.email.trim().toLowerCase(), i]));
  return async (email, password, req) => {
    const identity = pending.get(email.trim().toLowerCase());
    if (!identity) return users.verify(email, password);
    let result: PasswordCheck;
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: options.authorization },
        // The browser's address, as a proxy in front of Kratos would set it (True-Client-Ip is on Kratos's header allowlist).
        body: JSON.stringify({ identifier: email, password, request_headers: { 'True-Client-Ip': [req.socket.remoteAddress ?? ''] } }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = (await res.text()).slice(0, 1024);
      if (res.status === 200) result = safeStatus(text) === 'password_match' ? 'password_match' : 'wrong_credentials';
      else result = res.status === 403 ? 'wrong_credentials' : 'upstream_error';
    } catch {
      result = 'upstream_error';
    }
    options.onCall?.(result);
    if (result === 'upstream_error') return 'upstream_error';
    if (result === 'wrong_credentials') return undefined;
    pending.delete(identity.traits.email.trim().toLowerCase());
    // Kratos hashes and stores the password now: from here on the hook is not called for this identity.
    const user = { email: identity.traits.email, password, given_name: identity.traits.given_name ?? '', family_name: identity.traits.family_name ?? '' };
    if (users.add) return users.add({ sub: identity.id, ...user });
    return users.importUser ? users.importUser({ sub: identity.id, ...user }) : users.signUp(user);
  };
}

function safeStatus(text: string): unknown {
  try {
    return (JSON.parse(text) as { status?: unknown }).status;
  } catch {
    return undefined;
  }
}
