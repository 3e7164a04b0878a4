/**
 * One bounded HTTP request for the rollback command, and plain-words
 * descriptions of what went wrong: Node's fetch reports "fetch failed" with
 * the useful part (ECONNREFUSED, ENOTFOUND, a timeout) buried in `cause`.
 */
import { SwitchbackError } from '../../src/core/errors.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when it is JSON, else undefined. */
  json: unknown;
}

/** The request never got an answer (refused, unresolvable, timed out, TLS...). */
export class NetworkError extends SwitchbackError {
  readonly code = 'ERR_NETWORK';
  constructor(
    message: string,
    /** True when the request may have arrived but no answer came in time. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

const isTimeout = (err: unknown) => ['TimeoutError', 'AbortError'].includes((err as { name?: string })?.name ?? '');

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

/** "connection refused (ECONNREFUSED)", "no answer within 5000 ms", ... */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
  if (isTimeout(err)) return `no answer within ${timeoutMs} ms`;
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  if (code) return `${CAUSES[code] ?? e.cause?.message ?? 'request failed'} (${code})`;
  return e?.cause?.message ?? e?.message ?? String(err);
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  redirect?: RequestRedirect;
}

/** Sends one request; throws NetworkError (with `what` in the message) when no answer came. */
export async function httpCall(url: string, what: string, options: CallOptions): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      redirect: options.redirect ?? 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    return await readAnswer(res);
  } catch (err) {
    throw new NetworkError(`cannot reach ${what}: ${describeNetworkError(err, options.timeoutMs)}`, isTimeout(err));
  }
}

/** The whole answer: status, headers, body text, and the body parsed when it says it is JSON. */
export async function readAnswer(res: Pick<Response, 'status' | 'headers' | 'text'>): Promise<HttpAnswer> {
  const text = await res.text();
  let json: unknown;
  if (/\bjson\b/i.test(res.headers.get('content-type') ?? '')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The `error_description` (or `error`) of an OAuth2/problem-style JSON body, else a short snippet of the text. */
export function errorSummary(answer: HttpAnswer): string {
  const body = answer.json as { error?: unknown; error_description?: unknown } | undefined;
  if (body && typeof body === 'object') {
    if (typeof body.error_description === 'string' && body.error_description) return body.error_description;
    if (typeof body.error === 'string') return body.error;
  }
  const snippet = answer.text.replace(/\s+/g, ' ').trim().slice(0, 160);
  return snippet || '(empty body)';
}
