/**
 * Drives the local IdPs' HTML pages and reads the demo origin's page in
 * Chromium, by the stable element names both render (see dev/idp/pages.ts and
 * dev/origin/page.ts), so the tests read like what a person does.
 */
import type { Page } from 'playwright-core';

export interface DemoIdentity {
  sub: string;
  provider: string;
  email: string;
  issuer: string;
  assertion: string;
}

/** Waits until the browser is on a page served by `baseUrl` (any path) and loaded. */
export async function waitForOrigin(page: Page, baseUrl: string): Promise<void> {
  const origin = new URL(baseUrl).origin;
  await page.waitForURL((u) => u.origin === origin);
}

/** Fills the IdP's sign-in form and submits it (does not wait for where it leads). */
export async function submitLogin(page: Page, email: string, password: string): Promise<void> {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Signs in on the IdP page the browser is on and waits for the gateway's `returnTo` page. */
export async function signInAndReturn(page: Page, landingUrl: string, email: string, password: string): Promise<void> {
  await Promise.all([page.waitForURL(landingUrl), submitLogin(page, email, password)]);
}

export async function readDemoIdentity(page: Page): Promise<DemoIdentity> {
  const text = async (id: string) => ((await page.locator(`#${id}`).textContent()) ?? '').trim();
  return {
    sub: await text('sub'),
    provider: await text('provider'),
    email: await text('email'),
    issuer: await text('issuer'),
    assertion: await text('assertion'),
  };
}
