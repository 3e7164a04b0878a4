// Upstream traffic the gateway causes at the IdPs, read from their
// /_control/stats counters around each measured segment (never around
// warm-up), so steady-state discovery/JWKS/token/introspection fetches show.

export const UPSTREAM_FIELDS = ['discovery', 'jwks', 'introspection', 'token'] as const;
export type UpstreamField = (typeof UPSTREAM_FIELDS)[number];
export type UpstreamCounts = Record<UpstreamField, number>;

export interface IdpUrls {
  auth0: string;
  olympus: string;
}
export type UpstreamSnapshot = Record<keyof IdpUrls, UpstreamCounts>;

export function zeroCounts(): UpstreamCounts {
  return { discovery: 0, jwks: 0, introspection: 0, token: 0 };
}

async function read(url: string): Promise<UpstreamCounts> {
  const res = await fetch(`${url}/_control/stats`);
  if (!res.ok) throw new Error(`${url}/_control/stats answered ${res.status}`);
  const all = (await res.json()) as Record<string, number>;
  return Object.fromEntries(UPSTREAM_FIELDS.map((f) => [f, all[f] ?? 0])) as UpstreamCounts;
}

export async function snapshot(idps: IdpUrls): Promise<UpstreamSnapshot> {
  const [auth0, olympus] = await Promise.all([read(idps.auth0), read(idps.olympus)]);
  return { auth0, olympus };
}

export function diff(before: UpstreamSnapshot, after: UpstreamSnapshot): UpstreamSnapshot {
  const d = (a: UpstreamCounts, b: UpstreamCounts) =>
    Object.fromEntries(UPSTREAM_FIELDS.map((f) => [f, b[f] - a[f]])) as UpstreamCounts;
  return { auth0: d(before.auth0, after.auth0), olympus: d(before.olympus, after.olympus) };
}

export function add(a: UpstreamSnapshot, b: UpstreamSnapshot): UpstreamSnapshot {
  const s = (x: UpstreamCounts, y: UpstreamCounts) =>
    Object.fromEntries(UPSTREAM_FIELDS.map((f) => [f, x[f] + y[f]])) as UpstreamCounts;
  return { auth0: s(a.auth0, b.auth0), olympus: s(a.olympus, b.olympus) };
}

export function emptySnapshot(): UpstreamSnapshot {
  return { auth0: zeroCounts(), olympus: zeroCounts() };
}

/** Both IdPs together, per field. */
export function combined(s: UpstreamSnapshot): UpstreamCounts {
  return Object.fromEntries(UPSTREAM_FIELDS.map((f) => [f, s.auth0[f] + s.olympus[f]])) as UpstreamCounts;
}
