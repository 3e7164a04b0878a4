// The mail catcher's two pages: the inbox (newest first) and one message,
// its text escaped and its http(s) links made clickable, so a reset link in
// an email can be followed from the browser.
import { escapeHtml } from '../http-util.ts';
import type { CaughtMessage } from './messages.ts';

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f6;margin:0;padding:32px 16px}
main{max-width:860px;margin:0 auto;background:#fff;border-radius:8px;padding:20px 28px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3em;margin-top:0}
table{width:100%;border-collapse:collapse;font-size:.92em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e4e4e8;vertical-align:top}
.source{font-size:.8em;padding:2px 6px;border-radius:4px;background:#eef;white-space:nowrap}
pre{white-space:pre-wrap;word-break:break-word;background:#fafafa;padding:12px;border-radius:4px}
.note{color:#555;font-size:.85em}
</style>
</head>
<body><main>
${body}
<p class="note">Local mail catcher: nothing here was sent to a real address.</p>
</main></body>
</html>`;
}

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function inboxPage(messages: CaughtMessage[]): string {
  const rows = messages
    .map((m) => `<tr class="message" data-id="${escapeHtml(m.id)}"><td>${escapeHtml(time(m.at))}</td><td><span class="source">${escapeHtml(m.source)}</span></td><td>${escapeHtml(m.to)}</td><td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject)}</a></td></tr>`)
    .join('\n');
  return layout(
    `Mail catcher (${messages.length})`,
    `<h1>Mail catcher</h1>
<p class="note">Every email and on-call notification the local stack sent. Reload to see new ones.</p>
${messages.length === 0 ? '<p id="empty">No messages yet.</p>' : `<table id="inbox"><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead><tbody>\n${rows}\n</tbody></table>`}`,
  );
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/** The text escaped, each http(s) URL in it a link. */
export function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    out += escapeHtml(text.slice(last, m.index));
    out += `<a href="${escapeHtml(m[0])}">${escapeHtml(m[0])}</a>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

export function messagePage(m: CaughtMessage): string {
  return layout(
    m.subject,
    `<p><a href="/">← All messages</a></p>
<h1 id="subject">${escapeHtml(m.subject)}</h1>
<table>
<tr><th>From</th><td id="from">${escapeHtml(m.from)} <span class="source">${escapeHtml(m.source)}</span></td></tr>
<tr><th>To</th><td id="to">${escapeHtml(m.to)}</td></tr>
<tr><th>Received</th><td>${escapeHtml(time(m.at))}</td></tr>
</table>
<pre id="body">${linkify(m.text)}</pre>`,
  );
}
