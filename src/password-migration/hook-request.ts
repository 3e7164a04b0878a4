/**
 * The body Kratos sends to the password migration hook
 * (selfservice/hook/password_migration_hook.go in ory/kratos):
 *
 *   {"identifier": "...", "password": "..."}
 *
 * Newer Kratos versions add the web hook template context beside them
 * (`flow`, `request_headers`, `request_method`, `request_url`,
 * `request_cookies`), which is why the body limit is not tiny. The end user's
 * address is read from, in order: a `client_ip` field (a custom Jsonnet body,
 * or a proxy in front of Kratos, can put it there), or the header named
 * PASSWORD_HOOK_CLIENT_IP_HEADER among `request_headers` (Go's http.Header:
 * `{"True-Client-Ip": ["203.0.113.7"]}`). A value that is not one IP address
 * is no address at all.
 *
 * Refusals name the field at fault and never echo a value: the body holds a
 * password.
 */
import ipaddr from 'ipaddr.js';

export const MAX_HOOK_BODY_BYTES = 64 * 1024;
/** An email is at most 254 characters (RFC 5321); usernames are shorter. */
const MAX_IDENTIFIER = 320;
/** Far above any provider's own limit (Auth0: 128), far below the body limit. */
const MAX_PASSWORD = 1024;

export interface PasswordHookRequest {
  identifier: string;
  password: string;
  clientAddress: string | undefined;
}

export type PasswordHookRefusal = { code: 'invalid_json' | 'invalid_request'; message: string };

function address(value: unknown): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const v = raw.trim();
  if (!ipaddr.isValid(v)) return undefined;
  // An IPv4 address in any dotted form other than four decimal parts is not one client's address.
  if (ipaddr.IPv4.isValid(v) && !ipaddr.IPv4.isValidFourPartDecimal(v)) return undefined;
  return ipaddr.process(v).toString();
}

function headerValue(headers: unknown, name: string): unknown {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function parsePasswordHookRequest(bytes: Uint8Array, clientIpHeader: string): PasswordHookRequest | PasswordHookRefusal {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return { code: 'invalid_json', message: 'The body is not valid JSON.' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { code: 'invalid_request', message: 'The body must be a JSON object with "identifier" and "password".' };
  const { identifier, password, client_ip: clientIp, request_headers: requestHeaders } = body as Record<string, unknown>;
  if (typeof identifier !== 'string' || identifier.trim() === '' || identifier.length > MAX_IDENTIFIER) {
    return { code: 'invalid_request', message: `identifier must be a non-empty string of at most ${MAX_IDENTIFIER} characters.` };
  }
  if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD) {
    return { code: 'invalid_request', message: `password must be a non-empty string of at most ${MAX_PASSWORD} characters.` };
  }
  return { identifier: identifier.trim(), password, clientAddress: address(clientIp) ?? address(headerValue(requestHeaders, clientIpHeader)) };
}

export function isRefusal(r: PasswordHookRequest | PasswordHookRefusal): r is PasswordHookRefusal {
  return 'code' in r;
}
