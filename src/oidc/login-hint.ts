/**
 * The `login_hint` a person or an app gives /login (OIDC Core §3.1.2.1): used
 * to route an Olympus-only user to Olympus and passed on to the provider. Only
 * an email address is used, normalised as the signup capture stores it
 * (trimmed, lower-case); anything else is ignored, never an error: a bad hint
 * must not stop a sign-in.
 */
const MAX_EMAIL_LENGTH = 254;
const PART = '[^\\s@<>"(),;:\\\\\\[\\]\\u0000-\\u001f\\u007f]+';
const EMAIL = new RegExp(`^${PART}@${PART}\\.${PART}$`);

export function parseLoginHint(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) return undefined;
  return email;
}
