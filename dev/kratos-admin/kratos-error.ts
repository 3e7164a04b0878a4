// Kratos answers errors in ory/herodot's shape, e.g.
//   {"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}
// with an optional "reason". This module builds that shape so clients are
// tested against the real error envelope.
import { STATUS_TEXT as STATUS_CODES } from '../json-reply.ts';

/** herodot's default messages per status (ory/herodot error.go; 404 from ory/x sqlcon.ErrNoRows). */
const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'The request was malformed or contained invalid parameters',
  401: 'The request could not be authorized',
  403: 'The requested action was forbidden',
  404: 'Unable to locate the resource',
  409: 'The resource could not be created due to a conflict',
  500: 'An internal server error occurred, please contact the system administrator',
  502: 'The upstream service returned an invalid response',
  503: 'The service is temporarily unavailable',
};

/** Thrown by handlers; the server turns it into herodot JSON. */
export class KratosHttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason?: string,
    message?: string,
  ) {
    super(message ?? DEFAULT_MESSAGES[code] ?? STATUS_CODES[code] ?? 'Error');
  }
}

export function kratosErrorBody(code: number, message?: string, reason?: string): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { code, status: STATUS_CODES[code] ?? 'Error' };
  if (reason) error.reason = reason;
  error.message = message ?? DEFAULT_MESSAGES[code] ?? STATUS_CODES[code] ?? 'Error';
  return { error };
}

export const badRequest = (reason: string) => new KratosHttpError(400, reason);
