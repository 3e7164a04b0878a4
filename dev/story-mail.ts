// The emails of the local stack's stand-ins, written out for the mail catcher:
// what the Auth0 tenant sends (password reset, email verification, import
// job completion) and what the Kratos courier sends after a registration. The
// stand-ins record that an email went out; this gives it a sender, a subject
// and a body a person can read, with the links they would follow.
import type { SentEmail } from './auth0-api/index.ts';
import type { NewMessage } from './mail-catcher/index.ts';

export interface Auth0MailLinks {
  /** Where the reset link of a password_reset email leads (the Auth0 login stand-in's reset page). */
  resetUrl(email: SentEmail): string;
}

const AUTH0_FROM = 'Auth0 (local stand-in) <no-reply@auth0user.net>';

export function auth0Message(email: SentEmail, links: Auth0MailLinks): NewMessage {
  switch (email.kind) {
    case 'password_reset':
      return {
        source: 'auth0',
        from: AUTH0_FROM,
        to: email.to,
        subject: 'Reset your password',
        text: `Hello ${email.to},\n\nYou asked to reset the password of your account, or your account was brought over from another sign-in system.\nSet a new password here:\n\n${links.resetUrl(email)}\n\nIf you did not ask for this, ignore this email.\n\n(connection ${email.connection ?? '-'}, user ${email.user_id ?? '-'}, client ${email.client_id ?? '-'})`,
      };
    case 'verify_email':
      return {
        source: 'auth0',
        from: AUTH0_FROM,
        to: email.to,
        subject: 'Verify your email',
        text: `Hello ${email.to},\n\nPlease verify your email address (user ${email.user_id ?? '-'}). The local stand-in has no verification page: nothing to click.`,
      };
    case 'import_job_completed':
      return {
        source: 'auth0',
        from: AUTH0_FROM,
        to: 'tenant owners',
        subject: `Users import job ${email.job_id ?? ''} completed`,
        text: `The users import job ${email.job_id ?? ''} into the connection ${email.connection ?? '-'} has completed. Its summary and per-user errors: GET /api/v2/jobs/${email.job_id ?? ''} and /errors.`,
      };
  }
}

/** Kratos' verification email after a registration (courier template verification_code_valid). */
export function kratosVerificationMessage(to: string, code: string): NewMessage {
  return {
    source: 'kratos',
    from: 'Olympus (Kratos courier, local stand-in) <no-reply@olympus.local>',
    to,
    subject: 'Please verify your email address',
    text: `Hi, please verify your account by entering the following code:\n\n${code}\n\n(The local Olympus stand-in does not ask for it.)`,
  };
}
