/**
 * Clients are networks, not addresses (pure part): an IPv6 client is its /64
 * (CLIENT_IPV6_PREFIX), an IPv4 client its address, IPv4 carried in IPv6 is
 * IPv4, anything else the one `unknown` client; keys are short hashes. How
 * the key feeds caps and rate limits: test/runtime/client-key.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { clientKey, clientNetwork, UNKNOWN_CLIENT } from '../../src/telemetry/client-key.ts';

const options = { clientIpHeader: 'cf-connecting-ip', clientIpv6Prefix: 64 };
const keyOf = (ip: string | undefined, o = options) => clientKey(new Request('https://gateway.test/', { headers: ip === undefined ? {} : { [o.clientIpHeader]: ip } }), o);

describe('the client of a header value', () => {
  it.each([
    ['IPv4: the address', '203.0.113.7', 'v4:203.0.113.7'],
    ['IPv6: its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', 'v6:2001:db8:1:2::/64'],
    ['IPv6, compressed', '2001:db8:1:2::9', 'v6:2001:db8:1:2::/64'],
    ['IPv6, bracketed with a port', '[2001:db8:1:2::9]:443', 'v6:2001:db8:1:2::/64'],
    ['IPv6 with a zone id', 'fe80::1%eth0', 'v6:fe80::/64'],
    ['IPv4 with a port', '203.0.113.7:5555', 'v4:203.0.113.7'],
    ['IPv4-mapped IPv6 is IPv4', '::ffff:203.0.113.7', 'v4:203.0.113.7'],
    ['IPv4-mapped, hex spelling', '::ffff:cb00:7107', 'v4:203.0.113.7'],
    ['NAT64 (RFC 6052) is IPv4', '64:ff9b::203.0.113.7', 'v4:203.0.113.7'],
    ['6to4: the /48 of one IPv4 address', '2002:cb00:7107:1234::1', 'v4:203.0.113.7'],
    ['a list: the last entry (the one the trusted proxy appended)', '10.0.0.1, 2001:db8::1, 203.0.113.7', 'v4:203.0.113.7'],
    ['missing', null, UNKNOWN_CLIENT],
    ['empty', '', UNKNOWN_CLIENT],
    ['garbage', 'not-an-ip', UNKNOWN_CLIENT],
    ['IPv4 shorthand is not one address', '127.1', UNKNOWN_CLIENT],
    ['an IPv4 octet out of range', '203.0.113.256', UNKNOWN_CLIENT],
    ['a CIDR', '2001:db8::/32', UNKNOWN_CLIENT],
    ['a very long value', '1'.repeat(10_000), UNKNOWN_CLIENT],
  ] as const)('%s', (_name, value, network) => {
    expect(clientNetwork(value)).toBe(network);
  });

  it('the IPv6 prefix is configurable', () => {
    expect(clientNetwork('2001:db8:1:2::9', 48)).toBe('v6:2001:db8:1::/48');
    expect(clientNetwork('2001:db8:1:2::9', 56)).toBe('v6:2001:db8:1::/56');
    expect(clientNetwork('2001:db8:1:2::9', 128)).toBe('v6:2001:db8:1:2::9/128');
  });
});

describe('client keys', () => {
  it('240 addresses of one /64 are one client; distinct /64s are distinct clients', async () => {
    const same = new Set<string>();
    for (let i = 1; i <= 240; i++) same.add(await keyOf(`2001:db8:aa:1:${i.toString(16)}:${((i * 7919) & 0xffff).toString(16)}::${i.toString(16)}`));
    expect(same.size).toBe(1);
    const distinct = new Set<string>();
    for (let i = 1; i <= 240; i++) distinct.add(await keyOf(`2001:db8:aa:${i.toString(16)}::1`));
    expect(distinct.size).toBe(240);
    expect(distinct.has([...same][0]!)).toBe(true);
  });

  it('IPv4: one client per address; a mapped address is the same client', async () => {
    const keys = new Set<string>();
    for (let i = 1; i <= 50; i++) keys.add(await keyOf(`198.51.100.${i}`));
    expect(keys.size).toBe(50);
    expect(await keyOf('::ffff:198.51.100.9')).toBe(await keyOf('198.51.100.9'));
  });

  it('every value that is not one address is the same client, whatever it says', async () => {
    const keys = new Set<string>();
    for (const v of [undefined, '', 'x', 'unknown', '::g', '1.2.3', 'a'.repeat(300), '999.1.1.1']) keys.add(await keyOf(v));
    expect(keys.size).toBe(1);
  });

  it('a key is a short hash, never the address', async () => {
    const k = await keyOf('203.0.113.7');
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(k).not.toContain('203');
  });

  it('with CLIENT_IPV6_PREFIX=48, the /64s of one /48 are one client', async () => {
    const wide = { ...options, clientIpv6Prefix: 48 };
    expect(await keyOf('2001:db8:aa:1::1', wide)).toBe(await keyOf('2001:db8:aa:ff::1', wide));
    expect(await keyOf('2001:db8:aa:1::1', wide)).not.toBe(await keyOf('2001:db8:ab:1::1', wide));
  });
});
