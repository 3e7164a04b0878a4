/**
 * The few HTML pages the gateway itself shows a person: short, escaped, and
 * always with a way forward (a link to sign in again).
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function page(title: string, message: string, link?: { href: string; text: string }): string {
  const a = link ? `<p><a id="next" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#0550ae}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${a}</body></html>`;
}

/**
 * IDENTIFIER_FIRST: the email step before the provider is chosen. A GET form
 * back to /login with `login_hint` (and the same `returnTo`).
 */
export function identifierPage(returnTo: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Sign in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}label,input,button{display:block;margin:.5rem 0}input{width:100%;padding:.5rem;box-sizing:border-box}</style></head>
<body><h1>Sign in</h1><form id="identifier-form" method="get" action="/login">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<label for="login_hint">Email</label><input id="login_hint" name="login_hint" type="email" autocomplete="username" maxlength="254" required autofocus>
<button type="submit">Continue</button></form></body></html>`;
}

export function sessionExpiredPage(loginHref: string): string {
  return page('Your session expired', 'Your session expired, please sign in again.', { href: loginHref, text: 'Sign in again' });
}
