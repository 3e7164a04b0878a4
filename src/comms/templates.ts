/**
 * What people are told after a rollback, as templates with variables filled
 * from the incident: the users' email (the plan's "Brief authentication issue
 * resolved", which never mentions the migration: "Don't say 'we tried to
 * migrate and failed.' Save details for postmortem."), the oncall message,
 * and the status page incident. Pure: text and variables in, text out; a
 * template naming a variable nobody fills fails loudly instead of sending
 * "{{status_url}}" to users.
 *
 * The reconcile's reset email uses `userEmail` too (one text for users,
 * wherever it is sent from).
 */

/** The variables an incident fills. Users' texts use only the first four. */
export interface IncidentVars {
  /** The public status page (STATUS_PAGE_URL), or the Statuspage incident's link once published. */
  status_url: string;
  /** The day of the incident in words, e.g. "30 November 2026" (UTC). */
  date: string;
  /** Where a user resets a password (the legacy provider's reset page, or /recovery). */
  reset_url: string;
  /** The product name users know (STATUS_PRODUCT_NAME). */
  product: string;
  /** For oncall and the postmortem only. */
  rollback_at: string;
  rollback_seq: number;
  reason: string;
  rule: string;
  legacy_provider: string;
}

export interface Template {
  subject: string;
  text: string;
}

export const TEMPLATES = {
  user_email: {
    subject: 'Brief authentication issue resolved',
    text: [
      'We experienced authentication issues earlier today. We\'ve rolled back to our previous system. Some users may need to reset their password.',
      '',
      'If you can\'t sign in: click "Forgot password" to reset ({{reset_url}}).',
      '',
      'Sorry for the inconvenience. Full details: {{status_url}}',
      '',
      '{{product}}',
    ].join('\n'),
  },
  oncall: {
    subject: 'Rollback complete. {{legacy_provider}} is primary again.',
    text: [
      'Rollback {{rollback_seq}} at {{rollback_at}}: {{reason}}',
      'Rule: {{rule}}',
      '',
      'Next (the plan, "After rollback"): no immediate retry; write the postmortem (switchback postmortem --out DIR),',
      'decide temporary or permanent (POST /_switchback/api/rollback/decision), test the fix in staging, rehearse (npm run drill).',
      'Users: switchback comms preview shows the email and the status page text; publish the status page incident when ready.',
    ].join('\n'),
  },
  status_page: {
    subject: 'Sign-in issues',
    text: 'Some users could not sign in to {{product}} earlier today ({{date}}). Sign-in works again. If you cannot sign in, use "Forgot password" to reset your password. We are sorry for the inconvenience.',
  },
} as const satisfies Record<string, Template>;

export type TemplateId = keyof typeof TEMPLATES;

/** Words a user-facing text must never contain (the plan: never say we tried to migrate). */
export const USER_FACING_FORBIDDEN = /migrat|olympus|kratos|hydra|auth0|cognito|clerk|switchback|rollback|feature flag/i;

export class TemplateError extends Error {}

/** Fills `{{name}}`; an unknown name is an error, never left in the text. */
export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => {
    if (!Object.hasOwn(vars, name)) throw new TemplateError(`template variable {{${name}}} has no value`);
    return String(vars[name]);
  });
}

export function render(id: TemplateId, vars: IncidentVars): Template {
  const t = TEMPLATES[id];
  return { subject: fill(t.subject, { ...vars }), text: fill(t.text, { ...vars }) };
}

/** The users' email (also the reconcile's reset email text). */
export function userEmail(vars: Pick<IncidentVars, 'status_url' | 'reset_url' | 'product' | 'date'>): Template {
  const t = TEMPLATES.user_email;
  return { subject: fill(t.subject, vars), text: fill(t.text, vars) };
}

/** "30 November 2026", UTC. */
export function incidentDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
