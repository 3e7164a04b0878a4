/**
 * The identity of a client for the rollback rules and the rate limits: a
 * short hash of its network (never the address itself). Per-client caps, the
 * distinct-client minimum and the /login and /callback rate limits are all
 * keyed on it, so one scripted source weighs like one client.
 *
 * A client is what one party can cheaply hold many addresses of: an IPv6
 * host is given at least a /64 (RFC 6177, RFC 7421: SLAAC needs one), so an
 * IPv6 client is its /64 (CLIENT_IPV6_PREFIX), an IPv4 client its address.
 * IPv4 carried in IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4
 * 2002:AABB:CCDD::/48) is that IPv4 client: a 6to4 host owns the whole /48
 * of its IPv4 address. A header value that is not one address (missing,
 * garbage, a list entry an attacker wrote) is the one shared `unknown`
 * client: varying garbage must not mint distinct clients.
 */
import ipaddr from 'ipaddr.js';
import { sha256, toHex } from '../core/bytes.ts';

export const DEFAULT_IPV6_PREFIX = 64;
export const UNKNOWN_CLIENT = 'unknown';

/** Just what is needed of the configuration (the Worker's and the tests'). */
export interface ClientKeyOptions {
  clientIpHeader: string;
  clientIpv6Prefix: number;
}

/** `1.2.3.4`, `[2001:db8::1]`, `[2001:db8::1]:443`, `1.2.3.4:5678`: the address, without brackets or port. */
function bareAddress(value: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(value);
  return v4port ? v4port[1]! : value;
}

function v4(bytes: number[]): string {
  return `v4:${bytes.join('.')}`;
}

/**
 * The client's network as a canonical string: `v4:203.0.113.7`,
 * `v6:2001:db8:1:2::/64`, or `unknown`. Pure; never throws.
 */
export function clientNetwork(headerValue: string | null, ipv6Prefix = DEFAULT_IPV6_PREFIX): string {
  // The last entry: with a list header (X-Forwarded-For) only the one the trusted proxy appended can't be forged.
  const raw = bareAddress((headerValue ?? '').split(',').at(-1)!.trim().slice(0, 100));
  if (ipaddr.IPv4.isValidFourPartDecimal(raw)) return v4(ipaddr.IPv4.parse(raw).octets);
  if (!ipaddr.IPv6.isValid(raw)) return UNKNOWN_CLIENT;
  let addr;
  try {
    addr = ipaddr.IPv6.parse(raw);
  } catch {
    return UNKNOWN_CLIENT;
  }
  const bytes = addr.toByteArray();
  const range = addr.range();
  if (range === 'ipv4Mapped' || range === 'rfc6052') return v4(bytes.slice(12, 16));
  if (range === '6to4') return v4(bytes.slice(2, 6));
  const prefix = Math.max(0, Math.min(128, Math.floor(ipv6Prefix)));
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `v6:${ipaddr.fromByteArray(bytes).toString()}/${prefix}`;
}

/** The key of a client network (clientNetwork's output), for a caller that has the address but not the request. */
export async function networkKey(network: string): Promise<string> {
  return toHex((await sha256(`switchback-client:${network}`)).slice(0, 8));
}

/** Header value (and prefix) -> key: a returning client costs one map lookup, no parse and no hash. */
const cache = new Map<string, string>();

export async function clientKey(req: Request, options: ClientKeyOptions): Promise<string> {
  const value = req.headers.get(options.clientIpHeader);
  const cacheKey = `${options.clientIpv6Prefix}|${value ?? ''}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const network = clientNetwork(value, options.clientIpv6Prefix);
  const key = await networkKey(network);
  // A long (hostile) value is not kept: the cache stays small whatever clients send.
  if (cacheKey.length > 256) return key;
  if (cache.size > 10_000) cache.clear();
  cache.set(cacheKey, key);
  return key;
}

/** The id that ties a /login to its /callback, derived from the state (never the state itself). */
export async function loginId(state: string): Promise<string> {
  return toHex((await sha256(`switchback-login:${state}`)).slice(0, 12));
}
