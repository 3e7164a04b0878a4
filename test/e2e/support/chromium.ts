/**
 * One headless Chromium (@sparticuz/chromium + playwright-core) per test file,
 * with one context and one page reused across scenarios: in single-process
 * mode, closing a context and opening another kills the browser, so scenarios
 * are separated by clearing cookies instead.
 */
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core';

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Main-frame navigation requests (redirect hops included) since the last reset. */
  navigations: string[];
  /** Forgets every cookie (gateway and IdPs share the 127.0.0.1 jar) and leaves the page blank. */
  reset(): Promise<void>;
  cookie(url: string, name: string): Promise<Cookie | undefined>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<BrowserSession> {
  const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
  try {
    // A fixed locale: headless Chromium under LANG=C reports navigator.language "en-US@posix", which Intl refuses.
    const context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(20_000);
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    const navigations: string[] = [];
    page.on('request', (req) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) navigations.push(req.url());
    });
    return {
      browser,
      context,
      page,
      navigations,
      async reset() {
        await page.goto('about:blank');
        await context.clearCookies();
        navigations.length = 0;
      },
      async cookie(url, name) {
        return (await context.cookies(url)).find((c) => c.name === name);
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
