// HTML pages of the local IdP stand-ins (login, sign-up, logout, errors,
// recovery). Plain forms with stable field names so browsers and fetch-based
// tests can drive them.
import { escapeHtml } from '../http-util.ts';

export interface Brand {
  /** "Auth0" or "Olympus": used in titles such as "Sign in to Auth0 (local stand-in)". */
  product: string;
  color: string;
}

function layout(brand: Brand, title: string, body: string, head = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f6;margin:0;padding:40px 16px}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3em;margin-top:0;color:${brand.color}}
label{display:block;margin:12px 0 4px;font-size:.9em}
input{width:100%;box-sizing:border-box;padding:8px;font-size:1em}
button{margin-top:16px;width:100%;padding:10px;font-size:1em;background:${brand.color};color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{color:#b00020;background:#fdecef;padding:8px;border-radius:4px}
.note{color:#555;font-size:.85em}
</style>${head}
</head>
<body><main>
${body}
<p class="note">${escapeHtml(brand.product)} local stand-in for development and tests.</p>
</main></body>
</html>`;
}

export interface LoginPageInput {
  action: string;
  signupHref: string;
  abortHref: string;
  email?: string;
  error?: string;
  notice?: string;
  clientName?: string;
}

export function loginPage(brand: Brand, input: LoginPageInput): string {
  const title = `Sign in to ${brand.product} (local stand-in)`;
  return layout(
    brand,
    title,
    `<h1>${escapeHtml(title)}</h1>
${input.clientName ? `<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>` : ''}
${input.error ? `<p class="error" role="alert" id="error">${escapeHtml(input.error)}</p>` : ''}
${input.notice ? `<p class="note" id="notice">${escapeHtml(input.notice)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}" id="login-form">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${escapeHtml(input.email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p><a href="${escapeHtml(input.signupHref)}" id="signup-link">Create an account</a> · <a href="${escapeHtml(input.abortHref)}" id="abort-link">Cancel</a></p>`,
  );
}

export interface SignupPageInput {
  action: string;
  loginHref: string;
  values?: Record<string, string>;
  error?: string;
}

export function signupPage(brand: Brand, input: SignupPageInput): string {
  const title = `Sign up for ${brand.product} (local stand-in)`;
  const v = input.values ?? {};
  const field = (name: string, label: string, type = 'text') =>
    `<label for="${name}">${label}</label><input id="${name}" name="${name}" type="${type}" required value="${type === 'password' ? '' : escapeHtml(v[name])}">`;
  return layout(
    brand,
    title,
    `<h1>${escapeHtml(title)}</h1>
${input.error ? `<p class="error" role="alert" id="error">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}" id="signup-form">
${field('email', 'Email', 'email')}
${field('password', 'Password', 'password')}
${field('given_name', 'First name')}
${field('family_name', 'Last name')}
<button type="submit">Create account</button>
</form>
<p><a href="${escapeHtml(input.loginHref)}" id="login-link">I already have an account</a></p>`,
  );
}

/** RP-initiated logout: auto-submits the provider's confirm form (no extra click, like Auth0). */
export function logoutPage(brand: Brand, formHtml: string): string {
  const form = formHtml.replace('</form>', '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>');
  return layout(
    brand,
    `Signing out of ${brand.product} (local stand-in)`,
    `<h1>Signing out of ${escapeHtml(brand.product)}…</h1>${form}
<script>document.forms[0].submit()</script>`,
  );
}

export function loggedOutPage(brand: Brand): string {
  const title = `Signed out of ${brand.product} (local stand-in)`;
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1><p>You have been signed out.</p>`);
}

export function errorPage(brand: Brand, out: Record<string, unknown>): string {
  const title = `${brand.product} (local stand-in) error`;
  const rows = Object.entries(out)
    .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: <span id="${escapeHtml(k)}">${escapeHtml(v)}</span></p>`)
    .join('\n');
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1>${rows}`);
}

export function recoveryPage(brand: Brand, sentTo?: string): string {
  const title = `${brand.product} account recovery`;
  const body = sentTo !== undefined
    ? `<p id="recovery-sent">If an account exists for ${escapeHtml(sentTo)}, a recovery link has been sent (not really: this is a local stand-in).</p>`
    : `<form method="post" id="recovery-form">
<label for="email">Email</label><input id="email" name="email" type="email" required>
<button type="submit">Send recovery link</button>
</form>`;
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1>${body}`);
}

/** Auth0's Universal Login "Forgot your password?" page: a form, then the sentence Auth0 shows (no mail is sent here). */
export function resetPasswordPage(brand: Brand, sentTo?: string): string {
  const title = `Reset your ${brand.product} password (local stand-in)`;
  const body = sentTo !== undefined
    ? `<p id="reset-sent">If an account exists for ${escapeHtml(sentTo)}, a password reset email would be sent to it now. This local stand-in sends no email.</p>`
    : `<p>Enter your email address and we will send you instructions to reset your password.</p>
<form method="post" id="reset-form">
<label for="email">Email address</label><input id="email" name="email" type="email" required>
<button type="submit">Continue</button>
</form>`;
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1>${body}`);
}

/** What Auth0's Universal Login shows once a reset email went out (it says the same whether or not the account exists). */
export function resetEmailSentPage(brand: Brand, email: string): string {
  const title = `Check your email (${brand.product} local stand-in)`;
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1><p id="reset-sent">Please check the email address ${escapeHtml(email)} for instructions to reset your password.</p>`);
}

/** The page a reset email's link opens: choose a new password (ticket in a hidden field). */
export function newPasswordPage(brand: Brand, input: { ticket: string; email?: string; error?: string; done?: boolean }): string {
  const title = `Change your ${brand.product} password (local stand-in)`;
  if (input.done) return layout(brand, title, `<h1>${escapeHtml(title)}</h1><p id="password-changed">Password changed. You can now sign in with the new password.</p>`);
  if (input.email === undefined) {
    return layout(brand, title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert" id="error">This link has expired or was already used. Ask for a new one.</p>`);
  }
  return layout(
    brand,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>Enter a new password for <strong id="reset-email">${escapeHtml(input.email)}</strong>.</p>
${input.error ? `<p class="error" role="alert" id="error">${escapeHtml(input.error)}</p>` : ''}
<form method="post" id="new-password-form">
<input type="hidden" name="ticket" value="${escapeHtml(input.ticket)}">
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" required>
<button type="submit">Reset password</button>
</form>`,
  );
}
