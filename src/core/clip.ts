/**
 * Fits free text (a reason, an actor label) into a stored record's length
 * limit. The admin API accepts a 1,000-character reason and the controller
 * prefixes it ("manual decision: ..."); actor labels come from token names
 * and Access emails of any length. A record that then fails its own schema
 * turned an accepted request into a 500 with no rollback. The full text
 * stays in the audit log; the record keeps a marked prefix.
 */
const ELLIPSIS = '…';

/** At most `max` code points (what our zod's maxLength counts), so a surrogate pair is never split. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, max - 1).join('') + ELLIPSIS;
}
