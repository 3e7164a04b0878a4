// Request body readers for the Auth0 stand-in: JSON or form-urlencoded bodies
// (Auth0 accepts both on most endpoints) and the multipart/form-data upload of
// POST /jobs/users-imports, whose whole payload is capped at 512000 bytes —
// Auth0 answers 413 "Payload content length greater than maximum allowed:
// 512000" (hapi's payload limit), so the users file plus multipart overhead
// must fit. Multipart is parsed with the built-in fetch Response.formData().
import { ManagementApiError, payloadError } from './auth0-errors.ts';

export const IMPORT_PAYLOAD_MAX_BYTES = 512_000;
const JSON_MAX_BYTES = 1024 * 1024;
/** Oversized uploads are drained (so the client sees the 413, not a reset) up to this much. */
const DRAIN_MAX_BYTES = 20 * 1024 * 1024;

export class PayloadTooLargeError extends ManagementApiError {
  constructor(limit: number) {
    super(413, `Payload content length greater than maximum allowed: ${limit}`);
  }
}

/** Reads the body; throws PayloadTooLargeError past `limit` bytes (after draining the rest). */
export async function readRaw(req: Request, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > DRAIN_MAX_BYTES) {
      await reader!.cancel();
      break;
    }
    if (size <= limit) chunks.push(next.value);
  }
  if (size > limit) throw new PayloadTooLargeError(limit);
  return Buffer.concat(chunks);
}

function isForm(req: Request): boolean {
  return (req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** JSON or x-www-form-urlencoded body as a plain object; `onInvalid` builds the API's error. */
export async function readObjectBody(req: Request, onInvalid: (why: string) => Error): Promise<unknown> {
  const raw = (await readRaw(req, JSON_MAX_BYTES)).toString('utf8');
  if (isForm(req)) return Object.fromEntries(new URLSearchParams(raw));
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw onInvalid('Invalid request payload JSON format');
  }
}

export interface ImportForm {
  users?: string;
  fields: Record<string, string>;
}

/** Parses the multipart upload of an import job; `users` may be a file part or a plain field. */
export async function readImportForm(req: Request): Promise<ImportForm> {
  const type = req.headers.get('content-type') ?? '';
  const declared = Number(req.headers.get('content-length') ?? NaN);
  const body = await readRaw(req, IMPORT_PAYLOAD_MAX_BYTES);
  if (Number.isFinite(declared) && declared > IMPORT_PAYLOAD_MAX_BYTES) throw new PayloadTooLargeError(IMPORT_PAYLOAD_MAX_BYTES);
  if (!type.toLowerCase().startsWith('multipart/form-data')) throw payloadError('Invalid multipart payload format');
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
  } catch {
    throw payloadError('Invalid multipart payload format');
  }
  const fields: Record<string, string> = {};
  let users: string | undefined;
  const parts: Array<[string, string | Blob]> = [];
  form.forEach((value, name) => parts.push([name, value]));
  for (const [name, value] of parts) {
    const text = typeof value === 'string' ? value : await value.text();
    if (name === 'users') users = text;
    else fields[name] = text;
  }
  return users === undefined ? { fields } : { users, fields };
}
