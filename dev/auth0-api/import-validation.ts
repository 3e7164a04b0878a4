// Per-user validation of a bulk import file against Auth0's import schema
// ("Bulk User Import Database Schema and Examples"): email required, no extra
// properties, password_hash must be bcrypt ($2a$/$2b$) at cost 10, and
// custom_password_hash = { algorithm, hash: { value, encoding?, … } } with the
// algorithm-specific rules the docs give for argon2 / bcrypt / pbkdf2 (PHC or
// MCF string, encoding utf8, no separate salt). Errors use z-schema codes
// (Auth0's validator), reported per user by GET /jobs/{id}/errors.
import type { CustomPasswordHash, NewUserFields, StoredCredential } from './user-store.ts';
import { EMAIL_FORMAT, jsonType } from './user-validation.ts';

export interface ImportUserError {
  code: string;
  message: string;
  path?: string;
}

export interface ImportRecord {
  fields: NewUserFields;
  credential?: StoredCredential;
}

const STRING_PROPS = ['email', 'user_id', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'password_hash'];
const BOOLEAN_PROPS = ['email_verified', 'blocked'];
const OBJECT_PROPS = ['app_metadata', 'user_metadata', 'custom_password_hash'];
const ARRAY_PROPS = ['mfa_factors'];
const ALLOWED = new Set([...STRING_PROPS, ...BOOLEAN_PROPS, ...OBJECT_PROPS, ...ARRAY_PROPS]);

export const CUSTOM_HASH_ALGORITHMS = ['argon2', 'bcrypt', 'hmac', 'ldap', 'md4', 'md5', 'sha1', 'sha256', 'sha512', 'pbkdf2', 'scrypt'];
const ENCODINGS = ['base64', 'hex', 'utf8'];
/**
 * `password_hash`: Auth0's own pattern, cost 10 only (the schema: "bcrypt $2a$
 * or $2b$ and have 10 saltRounds"; the pattern as the import error quotes it in
 * Auth0's support article "User Import Fails with Error: Error in passwordHash
 * Property - String does not Match Pattern"). A cost-12 hash (Kratos' default)
 * fails here; custom_password_hash with algorithm bcrypt takes any cost.
 */
const BCRYPT_SOURCE = String.raw`^\$2[ab]?\$10+\$[./A-Za-z0-9]{53}$`;
const BCRYPT = new RegExp(BCRYPT_SOURCE);
const BCRYPT_ANY = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$(v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const PBKDF2 = /^\$pbkdf2-(md4|md5|ripemd160|sha1|sha224|sha256|sha384|sha512)\$i=\d+,l=\d+\$[A-Za-z0-9+/.]+\$[A-Za-z0-9+/.]+$/;

function customHashErrors(value: Record<string, unknown>): ImportUserError[] {
  const base = '#/custom_password_hash';
  const algorithm = value.algorithm;
  if (algorithm === undefined) return [{ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: 'Missing required property: algorithm', path: base }];
  if (typeof algorithm !== 'string' || !CUSTOM_HASH_ALGORITHMS.includes(algorithm)) {
    return [{ code: 'ENUM_MISMATCH', message: `No enum match for: ${JSON.stringify(algorithm)}`, path: `${base}/algorithm` }];
  }
  const hash = value.hash;
  if (jsonType(hash) !== 'object') {
    return [{ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: 'Missing required property: hash', path: base }];
  }
  const h = hash as Record<string, unknown>;
  if (typeof h.value !== 'string' || h.value === '') {
    return [{ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: 'Missing required property: value', path: `${base}/hash` }];
  }
  if (h.encoding !== undefined && !ENCODINGS.includes(String(h.encoding))) {
    return [{ code: 'ENUM_MISMATCH', message: `No enum match for: ${JSON.stringify(h.encoding)}`, path: `${base}/hash/encoding` }];
  }
  const phc: Record<string, RegExp> = { argon2: ARGON2, bcrypt: BCRYPT_ANY, pbkdf2: PBKDF2 };
  const format = phc[algorithm];
  if (!format) return [];
  const errors: ImportUserError[] = [];
  if (h.encoding !== undefined && h.encoding !== 'utf8') {
    errors.push({ code: 'INVALID_FORMAT', message: `hash.encoding must be utf8 when algorithm is ${algorithm}`, path: `${base}/hash/encoding` });
  }
  if (h.salt !== undefined) {
    errors.push({ code: 'INVALID_FORMAT', message: `hash.salt is not allowed when algorithm is ${algorithm}`, path: `${base}/hash/salt` });
  }
  if (!format.test(h.value)) {
    const kind = algorithm === 'bcrypt' ? 'an MCF bcrypt string ($2a$, $2b$ or $2y$)' : 'a PHC string';
    errors.push({ code: 'INVALID_FORMAT', message: `hash.value must be ${kind} when algorithm is ${algorithm}`, path: `${base}/hash/value` });
  }
  return errors;
}

/** Validates one entry of the users file; returns either the record to import or its errors. */
export function validateImportUser(entry: unknown): { record?: ImportRecord; errors: ImportUserError[] } {
  if (jsonType(entry) !== 'object') {
    return { errors: [{ code: 'INVALID_TYPE', message: `Expected type object but found type ${jsonType(entry)}`, path: '#/' }] };
  }
  const input = entry as Record<string, unknown>;
  const errors: ImportUserError[] = [];
  const extra = Object.keys(input).filter((k) => !ALLOWED.has(k));
  if (extra.length > 0) errors.push({ code: 'OBJECT_ADDITIONAL_PROPERTIES', message: `Additional properties not allowed: ${extra.join(',')}`, path: '#/' });
  if (input.email === undefined) errors.push({ code: 'OBJECT_MISSING_REQUIRED_PROPERTY', message: 'Missing required property: email', path: '#/' });
  const typeChecks: Array<[string[], string]> = [
    [STRING_PROPS, 'string'],
    [BOOLEAN_PROPS, 'boolean'],
    [OBJECT_PROPS, 'object'],
    [ARRAY_PROPS, 'array'],
  ];
  for (const [props, type] of typeChecks) {
    for (const prop of props) {
      if (prop in input && jsonType(input[prop]) !== type) {
        errors.push({ code: 'INVALID_TYPE', message: `Expected type ${type} but found type ${jsonType(input[prop])}`, path: `#/${prop}` });
      }
    }
  }
  if (errors.length > 0) return { errors };

  const email = input.email as string;
  if (!EMAIL_FORMAT.test(email)) {
    errors.push({ code: 'INVALID_FORMAT', message: `Object didn't pass validation for format email: ${email}`, path: '#/email' });
  }
  if (input.password_hash !== undefined && input.custom_password_hash !== undefined) {
    errors.push({ code: 'NOT_PASSED', message: 'password_hash and custom_password_hash are mutually exclusive', path: '#/' });
  }
  if (typeof input.password_hash === 'string' && !BCRYPT.test(input.password_hash)) {
    // z-schema's PATTERN template, "String does not match pattern {0}: {1}": the value is quoted back.
    errors.push({ code: 'PATTERN', message: `String does not match pattern ${BCRYPT_SOURCE}: ${input.password_hash}`, path: '#/password_hash' });
  }
  if (input.custom_password_hash !== undefined) errors.push(...customHashErrors(input.custom_password_hash as Record<string, unknown>));
  if (errors.length > 0) return { errors };

  const fields: NewUserFields = { email, email_verified: (input.email_verified as boolean | undefined) ?? false };
  for (const k of ['user_id', 'username', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'blocked', 'app_metadata', 'user_metadata'] as const) {
    if (input[k] !== undefined) (fields as unknown as Record<string, unknown>)[k] = structuredClone(input[k]);
  }
  const credential: StoredCredential | undefined =
    typeof input.password_hash === 'string'
      ? { kind: 'password_hash', hash: input.password_hash }
      : input.custom_password_hash !== undefined
        ? { kind: 'custom_password_hash', custom: structuredClone(input.custom_password_hash) as CustomPasswordHash }
        : undefined;
  return { record: { fields, ...(credential ? { credential } : {}) }, errors: [] };
}
