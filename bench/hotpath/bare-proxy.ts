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
