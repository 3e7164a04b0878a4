// Auth0's two error envelopes: the Management API's
//   {"statusCode":409,"error":"Conflict","message":"The user already exists.","errorCode":"auth0_idp_error"}
// and the Authentication API's OAuth-style
//   {"error":"access_denied","error_description":"Unauthorized"}.
// Handlers throw these; the server serialises them.
import { STATUS_TEXT } from '../json-reply.ts';

/** hapi (Boom) names where they differ from Node's STATUS_CODES. */
const BOOM_NAMES: Record<number, string> = { 413: 'Request Entity Too Large' };

export class ManagementApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errorCode?: string,
    readonly attributes?: Record<string, unknown>,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { statusCode: this.statusCode, error: BOOM_NAMES[this.statusCode] ?? STATUS_TEXT[this.statusCode] ?? 'Error', message: this.message };
    if (this.errorCode) body.errorCode = this.errorCode;
    if (this.attributes) body.attributes = this.attributes;
    return body;
  }
}

export class AuthApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }

  body(): Record<string, unknown> {
    return { error: this.error, error_description: this.description };
  }
}

/** 400 "Payload validation error: '<detail>'[ on property <prop>]." with errorCode invalid_body. */
export function payloadError(detail: string, property?: string): ManagementApiError {
  const where = property ? ` on property ${property}` : '';
  return new ManagementApiError(400, `Payload validation error: '${detail}'${where}.`, 'invalid_body');
}

export const TOO_MANY_REQUESTS = () =>
  new ManagementApiError(429, 'Global limit has been reached', 'too_many_requests');

/** Body for an injected 5xx on the Management API. */
export function injectedManagementError(status: number): ManagementApiError {
  return new ManagementApiError(status, status === 503 ? 'Service Unavailable' : 'Internal error.', status === 503 ? undefined : 'internal_error');
}
