/**
 * The console's two HTML documents: the sign-in form and the shell the
 * console script fills in. Static markup, escaped values, one strict Content
 * Security Policy: scripts and styles only from the gateway's own asset
 * paths, no inline script, nothing framed, forms post only here.
 */
import { escapeHtml } from '../http/pages.ts';
import type { AdminActor } from '../admin/admin-auth.ts';
import { CONSOLE_ASSETS, CONSOLE_PATH } from './console-assets.ts';

export const CONSOLE_SIGN_IN_PATH = `${CONSOLE_PATH}/sign-in`;
export const CONSOLE_SIGN_OUT_PATH = `${CONSOLE_PATH}/sign-out`;

export const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

function head(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${CONSOLE_ASSETS.css.path}">`;
}

export function signInPage(opts: { message?: string; accessConfigured: boolean }): string {
  const error = opts.message ? `<p class="problem" role="alert">${escapeHtml(opts.message)}</p>` : '';
  const access = opts.accessConfigured ? '<p class="hint">This gateway also accepts Cloudflare Access: sign in there and reload this page.</p>' : '';
  return `${head('Sign in · switchback console')}
</head>
<body class="sign-in">
<main>
<h1>switchback console</h1>
<p>Sign in with an admin API token (one of <code>ADMIN_TOKENS</code>). The token is exchanged for a session of 8 hours in an HttpOnly cookie; this page never keeps it.</p>
${error}
<form method="post" action="${CONSOLE_SIGN_IN_PATH}">
<label for="token">Admin API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required minlength="16" maxlength="512" autofocus>
<button type="submit">Sign in</button>
</form>
${access}
</main>
</body>
</html>
`;
}

/** The shell: landmarks and empty regions the script fills; `data-*` says who is signed in and the CSRF token for changes. */
export function consolePage(actor: AdminActor, csrf: string | undefined): string {
  return `${head('switchback console')}
<link rel="stylesheet" href="${CONSOLE_ASSETS.uplotCss.path}">
<meta name="switchback-csrf" content="${escapeHtml(csrf ?? '')}">
<meta name="switchback-actor" content="${escapeHtml(actor.name)}">
<meta name="switchback-role" content="${escapeHtml(actor.role)}">
<script src="${CONSOLE_ASSETS.uplot.path}" defer></script>
<script src="${CONSOLE_ASSETS.charts.path}" defer></script>
<script type="module" src="${CONSOLE_ASSETS.app.path}"></script>
</head>
<body>
<a class="skip" href="#rules-heading">Skip to the rules</a>
<header class="top" id="top">
<div class="brand"><strong>switchback</strong> console</div>
<div id="state" class="state"><span class="loading">Loading…</span></div>
<p id="announce" class="visually-hidden" aria-live="assertive" aria-atomic="true"></p>
<div class="who"><span id="actor">${escapeHtml(actor.name)} · ${escapeHtml(actor.role)}</span>
<button type="button" id="sign-out" class="link">Sign out</button></div>
</header>
<main>
<section id="actions" aria-labelledby="actions-heading" hidden><h2 id="actions-heading">Actions</h2><div id="action-buttons" class="buttons"></div></section>
<section aria-labelledby="rules-heading"><h2 id="rules-heading">Rollback rules</h2><div id="rules" class="cards"></div></section>
<section aria-labelledby="charts-heading"><h2 id="charts-heading">Logins and API</h2>
<div class="range" role="group" aria-label="Time range" id="range"></div>
<div id="charts" class="charts"></div>
<div id="funnel-box"></div></section>
<section aria-labelledby="people-heading"><h2 id="people-heading">People left behind</h2><div id="people"></div></section>
<section aria-labelledby="timeline-heading"><h2 id="timeline-heading">Timeline</h2>
<div class="timeline-tools"><label for="timeline-filter">Show</label> <select id="timeline-filter"><option value="">everything</option><option value="flag">flag changes and rollbacks</option><option value="rule">rule evaluations</option><option value="notify">notifications</option><option value="operator">operator actions</option><option value="reconcile">reconcile</option></select>
<button type="button" id="timeline-export">Export JSON</button></div>
<ol id="timeline" class="timeline" reversed></ol></section>
</main>
<dialog id="confirm" aria-labelledby="confirm-title">
<form method="dialog" id="confirm-form" novalidate>
<h2 id="confirm-title"></h2>
<p id="confirm-text"></p>
<div id="confirm-fields"></div>
<label for="confirm-reason">Reason (recorded in the audit log and sent to the notification channel)</label>
<textarea id="confirm-reason" required maxlength="1000" rows="3"></textarea>
<p id="confirm-problem" class="problem" role="alert" hidden></p>
<div class="buttons"><button type="button" id="confirm-cancel">Cancel</button><button type="submit" id="confirm-go" class="danger"></button></div>
</form>
</dialog>
</body>
</html>
`;
}
