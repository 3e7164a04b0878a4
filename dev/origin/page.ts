// The demo app's home page: shows who is signed in, through which provider,
// and whether the gateway's signed assertion checks out.
import { escapeHtml } from '../http-util.ts';

export interface Identity {
  sub?: string;
  provider?: string;
  email?: string;
  issuer?: string;
}

export function homePage(identity: Identity, assertion: string): string {
  const signedIn = Boolean(identity.sub);
  const row = (id: string, label: string, value: string | undefined) =>
    `<tr><th>${label}</th><td id="${id}">${escapeHtml(value ?? '')}</td></tr>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchback demo app</title>
<style>
body{font-family:system-ui,sans-serif;max-width:640px;margin:40px auto;padding:0 16px}
table{border-collapse:collapse}th,td{text-align:left;padding:4px 12px 4px 0;vertical-align:top}
td{font-family:ui-monospace,monospace;word-break:break-all}nav a{margin-right:16px}
</style>
</head>
<body>
<h1>switchback demo app</h1>
<p id="status">${signedIn ? `Signed in through <strong>${escapeHtml(identity.provider ?? 'unknown')}</strong>.` : 'Not signed in.'}</p>
<table>
${row('sub', 'Subject', identity.sub)}
${row('provider', 'Provider', identity.provider)}
${row('email', 'Email', identity.email)}
${row('issuer', 'Issuer', identity.issuer)}
${row('assertion', 'Assertion', assertion)}
</table>
<nav>
<a href="/login" id="login">Sign in</a>
<a href="/signup" id="signup">Sign up</a>
<a href="/recovery" id="recovery">Forgot password</a>
<a href="/logout" id="logout">Sign out</a>
<a href="/api/whoami">/api/whoami</a>
</nav>
</body>
</html>`;
}
