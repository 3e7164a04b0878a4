// A tiny "browser" for e2e tests and benchmarks that do not need Chromium: a
// cookie jar (tough-cookie: RFC 6265 matching, expiry, and the __Host-/__Secure-
// prefix rules; like browsers, it treats http://127.0.0.1 and localhost as
// secure, so the gateway's __Host- cookies work on the plain-http dev stack),
// manual redirect following, and HTML form submission. Only good enough for
// the plain pages of switchback and the local IdPs.
//
// Requests go out through node:http/https, not fetch: Node's fetch replaces
// Sec-Fetch-Mode with `cors`, which would make every navigation look like an
// API call to the gateway. Here headers go out exactly as given, and
// navigate() sends `sec-fetch-mode: navigate` and `accept: text/html` like a
// browser's address bar (a caller's headers override them).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Cookie, CookieJar } from 'tough-cookie';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** Every URL visited, including redirects, in order. */
  history: string[];
}

export interface NavigateOptions {
  method?: string;
  body?: URLSearchParams | string;
  headers?: Record<string, string>;
  /** Stop following redirects when the next URL matches (it is then the page URL, not fetched). */
  stopWhen?: (url: string) => boolean;
  maxRedirects?: number;
}

export interface TinyRequestInit {
  method?: string;
  body?: URLSearchParams | string;
  headers?: Record<string, string>;
  /** No answer (headers and body) within this long: the request fails. Default 30000. */
  timeoutMs?: number;
}

/** What navigate() sends unless the caller's headers say otherwise. */
export const NAVIGATION_HEADERS: Readonly<Record<string, string>> = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };

const DEFAULT_TIMEOUT_MS = 30_000;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

function decodeEntities(s: string): string {
  return s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return undefined;
  return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
}

/** Parses the forms of a page (inputs with a name; values of hidden/prefilled inputs kept). */
export function parseForms(html: string, pageUrl: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form ${m[1]}>`;
    const fields: Record<string, string> = {};
    for (const input of m[2]!.matchAll(/<(input|button|textarea)\b[^>]*>/gi)) {
      const name = attr(input[0], 'name');
      if (!name) continue;
      const type = (attr(input[0], 'type') ?? '').toLowerCase();
      if (input[1]!.toLowerCase() === 'button' || type === 'submit') continue;
      fields[name] = attr(input[0], 'value') ?? '';
    }
    forms.push({
      action: new URL(attr(open, 'action') ?? pageUrl, pageUrl).href,
      method: (attr(open, 'method') ?? 'get').toUpperCase(),
      fields,
    });
  }
  return forms;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

/** `defaults` overridden by `given`, header names compared case-insensitively. */
function withDefaults(defaults: Readonly<Record<string, string>>, given: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { ...defaults };
  for (const [k, v] of Object.entries(given ?? {})) {
    delete out[k.toLowerCase()];
    out[k] = v;
  }
  return out;
}

/** The node:http answer as a fetch Response (body read in full, repeated headers such as Set-Cookie kept). */
function toResponse(res: IncomingMessage, raw: Buffer, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const encoding = headers.get('content-encoding') ?? undefined;
  const body = decode(raw, encoding);
  if (encoding) {
    headers.delete('content-encoding');
    headers.set('content-length', String(body.length));
  }
  const status = res.statusCode ?? 0;
  const empty = method === 'HEAD' || NULL_BODY_STATUSES.has(status);
  return new Response(empty ? null : new Uint8Array(body), { status, statusText: res.statusMessage ?? '', headers });
}

/** One HTTP exchange with the headers exactly as given (no Sec-Fetch-* rewriting, no redirects). */
function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const out: Record<string, string> = { ...headers };
    if (body !== undefined) out['content-length'] = String(Buffer.byteLength(body));
    const requestFn = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
    if (!requestFn) return reject(new Error(`unsupported protocol ${url.protocol} in ${url.href}`));
    const req = requestFn(url, { method, headers: out }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve(toResponse(res, Buffer.concat(chunks), method));
        } catch (err) {
          reject(err);
        }
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${url.href}: no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

export class TinyBrowser {
  // A browser drops a cookie that breaks its prefix's rules without a word: so does 'silent'.
  #jar = new CookieJar(undefined, { prefixSecurity: 'silent' });
  readonly userAgent: string;

  constructor(userAgent = 'switchback-tiny-browser/1') {
    this.userAgent = userAgent;
  }

  /** Cookies that would be sent to `url` (name -> value). */
  cookiesFor(url: string): Record<string, string> {
    return Object.fromEntries(this.#jar.getCookiesSync(url).map((c) => [c.key, c.value]));
  }

  /** All stored cookies with their attributes (for asserting Secure/HttpOnly/SameSite). */
  allCookies(): Cookie[] {
    return (this.#jar.serializeSync()?.cookies ?? []).flatMap((c) => Cookie.fromJSON(c) ?? []);
  }

  clearCookies(): void {
    this.#jar = new CookieJar(undefined, { prefixSecurity: 'silent' });
  }

  /** One request, no redirect following; stores cookies. */
  async request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    const cookies = this.#jar.getCookieStringSync(url);
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    if (cookies) headers.cookie = cookies;
    if (init.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const body = init.body === undefined ? undefined : String(init.body);
    const res = await send(new URL(url), (init.method ?? 'GET').toUpperCase(), headers, body, init.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    for (const sc of res.headers.getSetCookie()) this.#jar.setCookieSync(sc, url, { ignoreError: true });
    return res;
  }

  /** Requests `url` as a top-level navigation and follows redirects like a browser (303/302/301 -> GET). */
  async navigate(url: string, options: NavigateOptions = {}): Promise<Page> {
    const history: string[] = [];
    let current = url;
    let method = options.method ?? 'GET';
    let body = options.body;
    let headers = options.headers;
    for (let i = 0; i <= (options.maxRedirects ?? 20); i++) {
      history.push(current);
      const res = await this.request(current, { method, body, headers: withDefaults(NAVIGATION_HEADERS, headers) });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        const next = new URL(location, current).href;
        if (![307, 308].includes(res.status)) {
          method = 'GET';
          body = undefined;
          headers = undefined;
        }
        if (options.stopWhen?.(next)) {
          history.push(next);
          return { url: next, status: res.status, headers: res.headers, body: '', history };
        }
        current = next;
        continue;
      }
      return { url: current, status: res.status, headers: res.headers, body: await res.text(), history };
    }
    throw new Error(`too many redirects starting at ${url}`);
  }

  /**
   * Submits a form of `page` (the one whose id/action matches `selector`, else the first), with
   * `values` overriding its fields, and follows redirects.
   */
  async submitForm(page: Page, values: Record<string, string> = {}, options: NavigateOptions & { selector?: string } = {}): Promise<Page> {
    const forms = parseForms(page.body, page.url);
    const form = options.selector
      ? forms.find((f) => f.action.includes(options.selector!)) ?? this.#formById(page.body, page.url, options.selector)
      : forms[0];
    if (!form) throw new Error(`no form${options.selector ? ` matching ${options.selector}` : ''} on ${page.url}`);
    const params = new URLSearchParams({ ...form.fields, ...values });
    if (form.method === 'GET') {
      const target = new URL(form.action);
      target.search = params.toString();
      return this.navigate(target.href, options);
    }
    return this.navigate(form.action, { ...options, method: 'POST', body: params });
  }

  #formById(html: string, pageUrl: string, id: string): ParsedForm | undefined {
    const all = [...html.matchAll(/<form\b([^>]*)>/gi)];
    const index = all.findIndex((m) => attr(`<form ${m[1]}>`, 'id') === id);
    return index === -1 ? undefined : parseForms(html, pageUrl)[index];
  }
}
