/**
 * A pass-through HTTP proxy in front of the Auth0 stand-in that can hold back
 * a response: the request reaches Auth0 and is handled (the email goes out),
 * but the caller never hears back, as when a process is killed or the
 * network drops between Auth0's answer and the client. Used to test that a
 * reset email whose outcome was never confirmed is not sent again.
 *
 * The token request's `audience` names the API the client was configured
 * with (the proxy's URL); it is rewritten to the stand-in's own URL so the
 * stand-in sees what a direct client would send.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Settles when the first response matching `hold` came back from upstream and was held (only that one is). */
  held: Promise<void>;
  /** Requests forwarded, as `METHOD path status` (status 0 for held ones). */
  log: string[];
  stop(): Promise<void>;
}

const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startHoldingProxy(upstream: string, hold: (method: string, path: string) => boolean): Promise<HoldingProxy> {
  let holding = true;
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const log: string[] = [];
  let self = '';
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      let payload = await body(req);
      if (path === '/oauth/token' && payload.length) payload = Buffer.from(payload.toString('utf8').replaceAll(self, upstream));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
      const up = await fetch(`${upstream}${req.url}`, { method: req.method, headers, ...(payload.length ? { body: new Uint8Array(payload) } : {}) });
      const text = Buffer.from(await up.arrayBuffer());
      if (holding && hold(req.method ?? 'GET', path)) {
        log.push(`${req.method} ${path} 0`);
        holding = false; // hold one
        onHeld();
        return; // never answered
      }
      log.push(`${req.method} ${path} ${up.status}`);
      const out: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!HOP.has(k) && k !== 'content-encoding') out[k] = v;
      });
      res.writeHead(up.status, out).end(text);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    held,
    log,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
