/**
 * The validator, in its tree-shakable form (`zod/mini`), with English
 * messages so a 400 says what is wrong. Only the named pieces we use are
 * re-exported: re-exporting the whole namespace would pull all of zod
 * (~800 KB, every locale) into the Worker and into every cold start.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export { array, boolean, enum, int, iso, literal, maximum, maxLength, minimum, minLength, nullable, number, optional, record, refine, regex, strictObject, string, trim } from 'zod/mini';
export type { infer as Infer } from 'zod/mini';

/** "path: message; path: message" plus the structured list, for 400 bodies. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { text: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
  return { text: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
}
