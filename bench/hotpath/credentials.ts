// The credentials each kind sends (from bench-kinds.ts, signed in against the
// stand-ins) and the edge's client address header, shared by the load phases,
// the stage timing and the profiler so all three see the same requests.
import type { BenchKind } from '../bench-kinds.ts';
import { HOTPATH_KINDS, type HotpathKind } from './options.ts';
import type { StageCredentials } from './stage-timing.ts';

/** A client address as Cloudflare's edge would set it, the same for the gateway and the bare proxy. */
export const EDGE_HEADERS = { 'cf-connecting-ip': '203.0.113.7' };

/** The load generator's credentials and headers per kind, for the stage worker. */
export function stageCredentials(kinds: BenchKind[]): StageCredentials {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const need = (k: HotpathKind) => byName.get(k) ?? fail(`kind ${k} was not prepared`);
  return {
    sessionCookie: need('session-auth0').headers.cookie!.replace(/^__Host-sb_session=/, ''),
    jwt: need('bearer-jwt').headers.authorization!.slice('Bearer '.length),
    opaque: need('opaque-token').headers.authorization!.slice('Bearer '.length),
    headers: Object.fromEntries(HOTPATH_KINDS.map((k) => [k, { ...need(k).headers, ...EDGE_HEADERS } as Record<string, string>])) as Record<HotpathKind, Record<string, string>>,
    paths: Object.fromEntries(HOTPATH_KINDS.map((k) => [k, need(k).path])) as Record<HotpathKind, string>,
  };
}

function fail(message: string): never {
  throw new Error(message);
}

