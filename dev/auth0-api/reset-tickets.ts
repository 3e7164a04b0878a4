// The links in the Auth0 stand-in's password reset emails: each recorded
// password_reset email gets a ticket (single use, Auth0's default 5-day
// lifetime) that the login stand-in's "change your password" page spends to
// set the user's new password, checked against the connection's password
// policy. Requests from the login page go through the Authentication API's
// POST /dbconnections/change_password, like Auth0's Universal Login, so its
// rate limit and "no account enumeration" answer apply.
import { randomBytes } from 'node:crypto';
import type { PasswordReset } from '../idp/password-reset.ts';
import type { Auth0Tenant } from './app.ts';
import { passwordMeetsPolicy } from './connections.ts';
import type { SentEmail } from './sent-emails.ts';

const TICKET_TTL_MS = 432_000_000;

type Tenant = Pick<Auth0Tenant, 'users' | 'connection'> & { url: string };

export class ResetTickets implements PasswordReset {
  readonly #tickets = new Map<string, { userId: string; email: string; expires: number }>();

  constructor(
    private readonly tenant: Tenant,
    /** The login application's client_id (the one Universal Login sends). */
    private readonly clientId: string,
  ) {}

  /** A ticket for a recorded password_reset email. */
  mint(email: SentEmail): string {
    const ticket = randomBytes(24).toString('base64url');
    this.#tickets.set(ticket, { userId: email.user_id ?? '', email: email.to, expires: Date.now() + TICKET_TTL_MS });
    return ticket;
  }

  async request(email: string): Promise<void> {
    const res = await fetch(`${this.tenant.url}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: this.clientId, email, connection: this.tenant.connection.name }),
    });
    await res.body?.cancel();
  }

  ticketEmail(ticket: string): string | undefined {
    const t = this.#tickets.get(ticket);
    return t && t.expires > Date.now() && this.tenant.users.has(t.userId) ? t.email : undefined;
  }

  complete(ticket: string, password: string): { ok: true } | { ok: false; error: string } {
    const t = this.ticketEmail(ticket) === undefined ? undefined : this.#tickets.get(ticket);
    const user = t && this.tenant.users.get(t.userId);
    if (!t || !user) return { ok: false, error: 'This link has expired or was already used. Ask for a new one.' };
    if (!passwordMeetsPolicy(password, this.tenant.connection.passwordPolicy) || Buffer.byteLength(password) > 72) {
      return { ok: false, error: 'PasswordStrengthError: Password is too weak' };
    }
    this.#tickets.delete(ticket);
    user.credential = { kind: 'password', password };
    user.profile.updated_at = new Date().toISOString();
    return { ok: true };
  }
}
