// Auth0's password reset at the login stand-in, when its users live in a
// tenant that can send email (the dev stack's Management API stand-in): the
// "Forgot your password?" page asks the tenant to send a reset email, and the
// email's link opens a page that sets a new password with the ticket it
// carries. Without a PasswordReset the request page only says an email would
// be sent (pages.ts, resetPasswordPage).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, sendHtml } from '../http-util.ts';
import { newPasswordPage, resetEmailSentPage, resetPasswordPage, type Brand } from './pages.ts';

export interface PasswordReset {
  /** Asks the tenant to email a reset link (sent only when the account exists; the page says the same either way). */
  request(email: string): Promise<void>;
  /** The email a ticket is for, while it is valid. */
  ticketEmail(ticket: string): string | undefined;
  /** Sets the new password and spends the ticket; an error message for the form otherwise. */
  complete(ticket: string, password: string): { ok: true } | { ok: false; error: string };
}

/** Where a reset email's link leads: `${login url}${AUTH0_RESET_TICKET_PATH}?ticket=…`. */
export const AUTH0_RESET_TICKET_PATH = '/u/reset-password';

export function passwordResetRoutes(brand: Brand, requestPath: string, reset: PasswordReset | undefined) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === requestPath) {
      if (req.method !== 'POST') sendHtml(res, 200, resetPasswordPage(brand));
      else {
        const email = ((await readForm(req)).get('email') ?? '').trim();
        if (!reset) sendHtml(res, 200, resetPasswordPage(brand, email));
        else {
          if (email) await reset.request(email);
          sendHtml(res, 200, resetEmailSentPage(brand, email));
        }
      }
      return true;
    }
    if (pathname !== AUTH0_RESET_TICKET_PATH || !reset) return false;
    if (req.method === 'POST') {
      const form = await readForm(req);
      const ticket = form.get('ticket') ?? '';
      const email = reset.ticketEmail(ticket);
      const result = reset.complete(ticket, form.get('password') ?? '');
      if (result.ok) sendHtml(res, 200, newPasswordPage(brand, { ticket, done: true }));
      else sendHtml(res, email === undefined ? 400 : 200, newPasswordPage(brand, { ticket, email, error: result.error }));
      return true;
    }
    const ticket = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('ticket') ?? '';
    const email = reset.ticketEmail(ticket);
    sendHtml(res, email === undefined ? 400 : 200, newPasswordPage(brand, { ticket, email }));
    return true;
  };
}
