/**
 * The few HTML pages the gateway itself shows a person: short, escaped, and
 * always with a way forward (a link to sign in again).
 */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function page(title: string, message: string, link?: { href: string; text: string }): string {
  const a = link ? `<p><a id="next" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#0550ae}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${a}</body></html>`;
}

export function sessionExpiredPage(loginHref: string): string {
  return page('Your session expired', 'Your session expired, please sign in again.', { href: loginHref, text: 'Sign in again' });
}
