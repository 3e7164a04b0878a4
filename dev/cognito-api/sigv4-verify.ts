// Checks an AWS Signature Version 4 `Authorization` header the way AWS does
// before any Cognito operation runs
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
//
//   AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request,
//                    SignedHeaders=<h1;h2;...>, Signature=<hex>
//
// canonical request = method \n URI \n query \n canonical headers \n signed
// headers \n hex(sha256(body)); string to sign = algorithm \n x-amz-date \n
// scope \n hex(sha256(canonical request)); key = HMAC chain over date,
// region, service, "aws4_request". Written here from the spec, not with
// aws4fetch, so that a bug in how the client signs shows up as a refusal.
// WebCrypto only: runs in Node and in workerd (the runtime tests).
// Refusals use AWS's error names (Common Errors,
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html):
// an unknown key id is UnrecognizedClientException, a wrong signature
// InvalidSignatureException, a request more than 5 minutes off
// InvalidSignatureException ("Signature expired"), a missing header
// MissingAuthenticationTokenException; all HTTP 400 on this JSON protocol.

export interface AwsCredential {
  secretAccessKey: string;
  sessionToken?: string;
}

export type SigV4Refusal = { name: 'UnrecognizedClientException' | 'InvalidSignatureException' | 'MissingAuthenticationTokenException' | 'IncompleteSignatureException'; message: string };

const enc = new TextEncoder();
const MAX_SKEW_MS = 5 * 60_000;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (data: Uint8Array<ArrayBuffer> | string) => hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? enc.encode(data) : data));

async function hmac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/** RFC 3986 encoding as SigV4 wants it (every byte but unreserved characters). */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalPath(url: URL): string {
  return url.pathname.split('/').map((seg) => uriEncode(decodeURIComponent(seg))).join('/') || '/';
}

/** `20261130T013700Z` -> epoch ms. */
function amzDateMs(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export async function verifySigV4(
  req: { method: string; url: string; headers: Headers; body: Uint8Array<ArrayBuffer> },
  expected: { region: string; service: string; credentials: ReadonlyMap<string, AwsCredential>; now: number },
): Promise<SigV4Refusal | { accessKeyId: string }> {
  const auth = req.headers.get('authorization');
  if (!auth) return { name: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { name: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature parameters.' };
  const [, keyId, day, region, service, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const credential = expected.credentials.get(keyId);
  if (!credential) return { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (credential.sessionToken !== undefined && req.headers.get('x-amz-security-token') !== credential.sessionToken) {
    return { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = req.headers.get('x-amz-date') ?? '';
  const at = amzDateMs(amzDate);
  if (!Number.isFinite(at) || amzDate.slice(0, 8) !== day) return { name: 'IncompleteSignatureException', message: 'Date must be in ISO-8601 basic format (X-Amz-Date) and match the credential scope.' };
  if (Math.abs(expected.now - at) > MAX_SKEW_MS) return { name: 'InvalidSignatureException', message: 'Signature expired: the request time is more than 5 minutes from the server time.' };
  if (region !== expected.region || service !== expected.service) {
    return { name: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service ('${expected.region}', '${expected.service}').` };
  }
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date') || [...signed].sort().join(';') !== signedHeaderList) {
    return { name: 'InvalidSignatureException', message: 'SignedHeaders must be sorted and include host and x-amz-date.' };
  }
  const url = new URL(req.url);
  const headerValue = (name: string) => (name === 'host' ? (req.headers.get('host') ?? url.host) : (req.headers.get(name) ?? '')).trim().replace(/\s+/g, ' ');
  const canonical = [
    req.method,
    canonicalPath(url),
    canonicalQuery(url),
    signed.map((h) => `${h}:${headerValue(h)}\n`).join(''),
    signedHeaderList,
    req.headers.get('x-amz-content-sha256') ?? (await sha256Hex(req.body)),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256Hex(canonical)].join('\n');
  let key: ArrayBuffer = await hmac(enc.encode(`AWS4${credential.secretAccessKey}`), day);
  for (const part of [region, service, 'aws4_request']) key = await hmac(key, part);
  const expectedSig = hex(await hmac(key, toSign));
  let diff = 0;
  for (let i = 0; i < 64; i++) diff |= expectedSig.charCodeAt(i) ^ signature.charCodeAt(i);
  if (diff !== 0) {
    return { name: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
  }
  return { accessKeyId: keyId };
}
