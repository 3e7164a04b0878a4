// The stand-ins' JSON answer (pretty-printed, no-store), as a web Response so
// the same Hono handlers run on @hono/node-server (dev stack, node tests) and
// inside the Workers test isolate (test/runtime's fake network).
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
// Headers set earlier with c.header() (rate-limit headers) are kept.
export function json(c: Context, status: number, body: unknown): Response {
  return c.body(JSON.stringify(body, null, 2), status as ContentfulStatusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
}

/** The reason phrases of the 4xx/5xx statuses the stand-ins answer (as Node's STATUS_CODES spells them). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** A fault that loses the connection without an answer: on node the socket is destroyed; elsewhere the fetch fails. */
export class DroppedConnection extends Error {
  constructor() {
    super('connection dropped by a fault');
  }
}

export function dropConnection(env: Partial<HttpBindings> | undefined): never {
  env?.incoming?.socket.destroy();
  throw new DroppedConnection();
}
