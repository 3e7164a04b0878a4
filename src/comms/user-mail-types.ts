/**
 * What every user-mail transport (user-mail.ts: the webhook relay;
 * ses-transport.ts: Amazon SES) takes and answers, and its one error, with
 * a stable reason and whether a retry is safe.
 */
import { SwitchbackError } from '../core/errors.ts';

export interface UserMail {
  to: string;
  subject: string;
  text: string;
  /** One per email meant (the reconcile: run id + Olympus identity id). */
  idempotencyKey: string;
}

/** `no_answer`: lost, safe to repeat (the relay dedups by key); `unconfirmed`: lost, and a repeat could send twice (SES). */
export type UserMailFailure = 'refused' | 'rejected' | 'rate_limited' | 'unavailable' | 'no_answer' | 'unconfirmed' | 'bad_answer';

const RETRYABLE = { refused: false, rejected: false, rate_limited: true, unavailable: true, no_answer: true, unconfirmed: false, bad_answer: false } as const satisfies Record<UserMailFailure, boolean>;

export class UserMailError extends SwitchbackError {
  readonly code = 'ERR_USER_MAIL';
  readonly retryable: boolean;
  constructor(
    readonly reason: UserMailFailure,
    /** The relay's HTTP status; 0: no answer. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.retryable = RETRYABLE[reason];
  }
}

export interface UserMailSent {
  /** The relay's message id, when it gives one. */
  id: string | undefined;
  /** The relay had already sent this key (`Idempotent-Replayed: true`, or 200 with `duplicate: true`). */
  duplicate: boolean;
}

/** An HTTP status as a failure reason. */
export function failureOf(status: number): UserMailFailure {
  if (status === 401 || status === 403) return 'refused';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}
