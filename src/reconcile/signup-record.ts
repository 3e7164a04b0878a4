/**
 * A signup captured at the edge by the Olympus after-registration web hook:
 * enough to bring the user back to Auth0 even when the Kratos admin API is
 * slow, down, or unreachable from the edge. Kratos sends what its Jsonnet
 * body template produces; the documented template is
 * `function(ctx) { identity: ctx.identity }`, and a bare identity is accepted
 * too.
 */
import { isKratosIdentity, type KratosIdentity } from './kratos-identity.ts';
import { SwitchbackError } from '../core/errors.ts';

export interface CapturedSignup {
  id: string;
  email: string | null;
  created_at: string;
  /** The identity as Kratos sent it (traits, addresses, metadata), without credentials. */
  identity: KratosIdentity;
}

export class SignupPayloadError extends SwitchbackError {
  readonly code = 'ERR_SIGNUP_PAYLOAD';
}

export function parseSignupPayload(body: unknown): CapturedSignup {
  const candidate = typeof body === 'object' && body !== null && 'identity' in body ? (body as { identity: unknown }).identity : body;
  if (!isKratosIdentity(candidate)) throw new SignupPayloadError('expected a Kratos identity (id, created_at, traits), or {"identity": {...}}');
  const { credentials: _dropped, ...identity } = candidate;
  const email = typeof identity.traits.email === 'string' ? identity.traits.email.toLowerCase() : null;
  if (identity.id.length > 64 || JSON.stringify(identity).length > 16_384) throw new SignupPayloadError('identity too large');
  return { id: identity.id, email, created_at: new Date(identity.created_at).toISOString(), identity };
}
