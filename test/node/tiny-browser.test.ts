/**
 * The tiny browser's cookie jar, as the e2e helpers and benchmarks rely on
 * it: the gateway's __Host- cookies are kept on the plain-http loopback dev
 * stack (loopback counts as secure, as in browsers), a __Host- cookie that
 * breaks the prefix rules is dropped, Max-Age=0 deletes, paths scope, and
 * navigations say `sec-fetch-mode: navigate`.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenLocal } from '../../dev/http-util.ts';
import { TinyBrowser } from '../../dev/tiny-browser.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/set') {
      res.setHeader('set-cookie', ['__Host-a=1; Path=/; Secure; HttpOnly; SameSite=Lax', '__Host-bad=2; Path=/x; Secure', '__Host-insecure=3; Path=/', '__Secure-b=4; Path=/', 'plain=5; Path=/', 'sub=6; Path=/sub']);
      return void res.writeHead(302, { location: '/echo' }).end();
    }
    if (req.url === '/clear') {
      res.setHeader('set-cookie', 'plain=; Path=/; Max-Age=0');
      return void res.end('');
    }
    res.end(JSON.stringify({ cookie: req.headers.cookie ?? null, mode: req.headers['sec-fetch-mode'] ?? null }));
  });
  base = `http://127.0.0.1:${await listenLocal(server, 0)}`;
});
afterAll(() => closeServer(server));

describe('the tiny browser', () => {
  it('keeps __Host- cookies on loopback http, drops the ones that break the prefix rules, follows the redirect as a navigation', async () => {
    const browser = new TinyBrowser();
    const page = await browser.navigate(`${base}/set`);
    expect(page.history).toEqual([`${base}/set`, `${base}/echo`]);
    expect(JSON.parse(page.body)).toEqual({ cookie: '__Host-a=1; plain=5', mode: 'navigate' });
    expect(browser.cookiesFor(`${base}/sub/page`)).toEqual({ '__Host-a': '1', plain: '5', sub: '6' });
    expect(browser.cookiesFor(`http://localhost:${new URL(base).port}/`)).toEqual({});
    expect(browser.allCookies().find((c) => c.key === '__Host-a')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'lax', path: '/' });
  });

  it('Max-Age=0 deletes a cookie; clearCookies empties the jar', async () => {
    const browser = new TinyBrowser();
    await browser.navigate(`${base}/set`);
    await browser.request(`${base}/clear`);
    expect(browser.cookiesFor(`${base}/`)).toEqual({ '__Host-a': '1' });
    browser.clearCookies();
    expect(browser.cookiesFor(`${base}/`)).toEqual({});
  });
});
