// The baseline: a worker that only forwards to the origin, as any proxy in
// front of an app must (method, path, query, headers, body, redirect as is).
// The gateway's cost is what it adds over this, in the same runtime.
export const BARE_PROXY_SCRIPT = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const res = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: hasBody ? request.body : undefined,
      redirect: 'manual',
    });
    return new Response(res.body, res);
  },
};
`;

/**
 * The identity floor: the least a gateway that hands the app an identity does
 * to every request in this runtime, and nothing more: no routing framework, no
 * credential check, no telemetry. It copies the request's headers, sets the
 * identity headers switchback sets (with an assertion of a real one's length),
 * forwards with `cache: 'no-store'` and makes the answer private, as
 * src/routes/proxy.ts does for a verified request. Measured against the bare
 * proxy in the same rounds, it says what the throughput target leaves for
 * verification, routing and telemetry on this machine.
 */
const ASSERTION_LIKE = `eyJhbGciOiJFUzI1NiIsImtpZCI6ImdhdGV3YXkiLCJ0eXAiOiJzd2l0Y2hiYWNrLWFzc2VydGlvbitqd3QifQ.${'e'.repeat(420)}.${'s'.repeat(86)}`;
export const IDENTITY_FLOOR_SCRIPT = `
const IDENTITY = [
  ['x-auth-sub', 'auth0|alice'],
  ['x-auth-provider', 'auth0'],
  ['x-auth-issuer', 'https://tenant.auth0.example/'],
  ['x-auth-email', 'alice@example.com'],
  ['x-auth-email-verified', 'true'],
  ['x-auth-assertion', '${ASSERTION_LIKE}'],
];
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-host', url.host);
    headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
    for (const [name, value] of IDENTITY) headers.set(name, value);
    const res = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
    const out = new Response(res.body, res);
    out.headers.set('cache-control', 'private');
    out.headers.set('vary', 'Cookie, Authorization');
    return out;
  },
};
`;
