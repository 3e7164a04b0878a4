/**
 * Reads a request body with a hard byte limit, from the stream itself.
 * `Content-Length` is only a hint: a chunked body has none, and
 * `arrayBuffer()` would buffer whatever a sender streams (and, for a hook,
 * before its signature is even checked). The reader stops and cancels the
 * stream as soon as the limit is passed.
 */

export type BoundedBody = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' };

export async function readBounded(req: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => {});
    return { ok: false, reason: 'too_large' };
  }
  if (!req.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}
