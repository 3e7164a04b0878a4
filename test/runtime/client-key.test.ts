/**
 * Clients are networks, not addresses: an IPv6 client is its /64
 * (CLIENT_IPV6_PREFIX), an IPv4 client its address, IPv4 carried in IPv6 is
 * IPv4, and a header value that is not one address is the one shared
 * `unknown` client. The key feeds the per-client caps, the distinct-client
 * minimum and the rate limits; hostile header values never throw or 5xx.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { issueCode, startLogin } from './support/login-flow.ts';
import { sleep, status } from './support/controller.ts';
import { ISSUERS } from './support/constants.ts';
import { clientKey, clientNetwork } from '../../src/telemetry/client-key.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';

const options = { clientIpHeader: 'cf-connecting-ip', clientIpv6Prefix: 64 };
const keyOf = (ip: string | undefined, o = options) => clientKey(new Request('https://gateway.test/', { headers: ip === undefined ? {} : { [o.clientIpHeader]: ip } }), o);

describe('CLIENT_IPV6_PREFIX', () => {
  const base = env as unknown as Record<string, unknown>;
  it('defaults to 64', () => {
    expect(parseConfig(base).clientIpv6Prefix).toBe(64);
  });
  it.each(['31', '129', '64.5', 'sixty-four', '-64'])('%s is refused with a ConfigError naming the variable', (v) => {
    expect(() => parseConfig({ ...base, CLIENT_IPV6_PREFIX: v })).toThrow(ConfigError);
    try {
      parseConfig({ ...base, CLIENT_IPV6_PREFIX: v });
    } catch (err) {
      expect((err as ConfigError).variable).toBe('CLIENT_IPV6_PREFIX');
    }
  });
  it('takes 48', () => {
    expect(parseConfig({ ...base, CLIENT_IPV6_PREFIX: '48' }).clientIpv6Prefix).toBe(48);
  });
});

describe('the key feeds the caps, the distinct-client minimum and the rate limits', () => {
  let net: Network;
  beforeEach(async () => {
    await resetState();
    net = await installNetwork();
  });

  async function signInFrom(ip: string): Promise<void> {
    const login = await startLogin();
    const code = await issueCode(net.olympus, login);
    const res = await gw(`/callback?${new URLSearchParams({ code, state: login.state, iss: ISSUERS.olympus })}`, { headers: { cookie: `__Host-sb_login=${login.loginCookie}`, 'cf-connecting-ip': ip } });
    expect(res.status).toBe(302);
  }

  const loginRule = async () => ((await status()).rules as { rule: string; clients: number; samples: number }[]).find((r) => r.rule === 'login_success_rate < 95%')!;

  it('12 sign-ins from 12 addresses of one /64 are one capped client of the login rule; 12 more /64s are 12 more', async () => {
    await putFlag({ enabled: true });
    for (let i = 1; i <= 12; i++) await signInFrom(`2001:db8:bb:1::${i}`);
    await sleep(400);
    expect((await status()).last_5_minutes.logins.olympus.succeeded).toBe(12);
    expect(await loginRule()).toMatchObject({ clients: 1, samples: 3 }); // max_per_client 3
    for (let i = 1; i <= 12; i++) await signInFrom(`2001:db8:bb:${(i + 1).toString(16)}::1`);
    await sleep(400);
    expect(await loginRule()).toMatchObject({ clients: 13, samples: 15 });
  });

  it('/login: the 31st start in a minute from addresses of one /64 gets 429; the next /64 does not', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 31; i++) statuses.push((await gw('/login', { headers: { 'cf-connecting-ip': `2001:db8:cc:1:${i.toString(16)}::1` } })).status);
    expect(statuses.slice(0, 30).every((s) => s === 302)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect((await gw('/login', { headers: { 'cf-connecting-ip': '2001:db8:cc:2::1' } })).status).toBe(302);
  });
});

/** Header values the Headers API accepts (it refuses CR, LF, NUL and non-Latin-1). */
function headerValue(v: string): boolean {
  try {
    new Headers({ x: v });
    return true;
  } catch {
    return false;
  }
}

const hostile = fc
  .oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.ipV4Extended(),
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 99_999 })).map(([a, p]) => `[${a}]:${p}`),
    fc.tuple(fc.ipV6(), fc.stringMatching(/^[a-z0-9%]{0,12}$/)).map(([a, z]) => `${a}%${z}`),
    fc.tuple(fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), { maxLength: 6 }), fc.constantFrom(',', ', ', ' ,', ',,')).map(([a, sep]) => a.join(sep)),
    fc.stringMatching(/^[0-9a-fA-F:.[\]%, ]{0,60}$/),
  )
  .filter(headerValue);

describe('hostile header values (fast-check)', () => {
  it('5,000 generated values: never throw, always a network or unknown, a 16-hex key', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.integer({ min: 32, max: 128 }), async (v, prefix) => {
        const network = clientNetwork(v, prefix);
        expect(network).toMatch(/^(v4:\d{1,3}(\.\d{1,3}){3}|v6:[0-9a-f:]+\/\d{2,3}|unknown)$/);
        expect(await keyOf(v, { ...options, clientIpv6Prefix: prefix })).toMatch(/^[0-9a-f]{16}$/);
      }),
      { numRuns: 5_000 },
    );
  });

  it('1,000 generated values through /login, /callback and the proxy: never a 5xx', async () => {
    await resetState();
    await installNetwork();
    const paths = ['/login', '/callback?code=c&state=s', '/public/x'];
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom(...paths), async (v, path) => {
        const res = await gw(path, { headers: { 'cf-connecting-ip': v } });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 1_000 },
    );
  });
});
