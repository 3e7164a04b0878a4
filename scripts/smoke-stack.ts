// Smoke test of the whole local stack (IdPs + origin + gateway under wrangler
// dev): sign in through each provider with the flag flipped, check the origin
// sees the identity and a valid assertion, sign out. Run: npm run smoke:stack
import { strict as assert } from 'node:assert';
import { startStack } from '../dev/stack.ts';
import { TinyBrowser } from '../dev/tiny-browser.ts';

const field = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

const stack = await startStack();
try {
  const cases = [
    { olympus: false, email: 'alice@example.com', password: 'alice-pass', provider: 'auth0', sub: 'auth0|alice', title: 'Sign in to Auth0' },
    { olympus: true, email: 'alice@example.com', password: 'alice-pass', provider: 'olympus', sub: '7c9e6679-7425-40de-944b-e07fc1f90ae7', title: 'Sign in to Olympus' },
  ];
  for (const c of cases) {
    const flag = await stack.setFlag('olympus_auth', c.olympus);
    assert.equal(flag.status, 200, await flag.text());
    const browser = new TinyBrowser();
    const login = await browser.navigate(`${stack.gatewayUrl}/login`);
    assert.match(login.body, new RegExp(c.title));
    const home = await browser.submitForm(login, { email: c.email, password: c.password });
    assert.equal(home.url, `${stack.gatewayUrl}/`);
    assert.equal(field(home.body, 'sub'), c.sub);
    assert.equal(field(home.body, 'provider'), c.provider);
    assert.equal(field(home.body, 'email'), c.email);
    assert.equal(field(home.body, 'assertion'), 'valid');
    const logout = await browser.navigate(`${stack.gatewayUrl}/logout`);
    const out = await browser.submitForm(logout, {}, { stopWhen: (u) => u.startsWith(stack.gatewayUrl) });
    assert.equal(out.url, `${stack.gatewayUrl}/`);
    console.log(`${c.provider}: signed in as ${c.sub}, assertion valid, signed out`);
  }
  console.log('auth0-like stats:', JSON.stringify(stack.auth0.stats));
  console.log('olympus-like stats:', JSON.stringify(stack.olympus.stats));
  console.log('smoke-stack: OK');
} catch (err) {
  console.error(stack.gatewayOutput());
  throw err;
} finally {
  await stack.stop();
}
