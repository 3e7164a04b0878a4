/**
 * What the gateway tells the controller, and the one vocabulary of outcome
 * and reason codes used in counters, metrics labels, logs and tests.
 */
import type { ProviderId } from '../core/provider-id.ts';

export type CallerProvider = ProviderId | 'anonymous';

export type OutcomeEvent =
  /** /login sent a browser to a provider; `id` ties it to its callback. */
  | { k: 'login_started'; id: string; provider: ProviderId; client: string; at: number }
  /** /callback finished: succeeded, or failed with a reason code. */
  | { k: 'login_outcome'; id: string; provider: ProviderId; client: string; outcome: 'succeeded' | 'failed'; reason?: string; at: number }
  /** Proxied requests, aggregated per second, provider of the caller's credential, client and error. */
  | { k: 'api'; provider: CallerProvider; client: string; error: boolean; n: number; at: number }
  /** A support ticket from the signed hook; `delivery` (see delivery-key.ts) makes a replay count once. */
  | { k: 'ticket'; n: number; at: number; delivery?: string }
  /** Richer login events from the providers themselves (Auth0 log stream, Kratos after-login hook), one per delivery key. */
  | { k: 'provider_login'; provider: ProviderId; outcome: 'succeeded' | 'failed'; source: string; n: number; at: number; delivery?: string }
  /** One call of Olympus's password migration hook (src/routes/password-migration-hook.ts), by the end user's client. */
  | { k: 'password_migration'; outcome: PasswordMigrationOutcome; client: string; n: number; at: number };

/** What the password migration hook made of one call: the same words in logs, counters and tests. */
export const PASSWORD_MIGRATION_OUTCOMES = ['match', 'mismatch', 'upstream_error', 'rate_limited'] as const;
export type PasswordMigrationOutcome = (typeof PASSWORD_MIGRATION_OUTCOMES)[number];

export interface OutcomeBatch {
  events: OutcomeEvent[];
  /** Events this isolate dropped because the controller was unreachable or its buffer was full. */
  lost: number;
}

export const LOGIN_OUTCOMES = ['started', 'succeeded', 'failed', 'abandoned'] as const;
