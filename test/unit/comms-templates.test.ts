/** The communication templates: the plan's user email, never a word about the migration; every variable filled or an error. */
import { describe, expect, it } from 'vitest';
import { fill, incidentDate, render, TemplateError, TEMPLATES, USER_FACING_FORBIDDEN, userEmail, type IncidentVars } from '../../src/comms/templates.ts';

const vars: IncidentVars = {
  status_url: 'https://status.example.com/incidents/abc',
  date: incidentDate('2026-11-30T01:02:03.000Z'),
  reset_url: 'https://app.example.com/recovery',
  product: 'The Example team',
  rollback_at: '2026-11-30T01:02:03.000Z',
  rollback_seq: 42,
  reason: 'rule login_success_rate < 95% breached',
  rule: 'login_success_rate < 95%',
  legacy_provider: 'Auth0',
};

describe('templates', () => {
  it('the user email is the plan\'s "Brief authentication issue resolved", filled from the incident', () => {
    const m = render('user_email', vars);
    expect(m.subject).toBe('Brief authentication issue resolved');
    expect(m.text).toContain('We experienced authentication issues earlier today. We\'ve rolled back to our previous system. Some users may need to reset their password.');
    expect(m.text).toContain('If you can\'t sign in: click "Forgot password" to reset (https://app.example.com/recovery).');
    expect(m.text).toContain('Sorry for the inconvenience. Full details: https://status.example.com/incidents/abc');
    expect(m.text).not.toMatch(/\{\{/);
    expect(userEmail(vars)).toEqual(m);
  });

  it('what users read never mentions the migration, the providers or the tooling', () => {
    for (const id of ['user_email', 'status_page'] as const) {
      const m = render(id, vars);
      expect(`${m.subject}\n${m.text}`, id).not.toMatch(USER_FACING_FORBIDDEN);
      // The templates themselves, before filling: the words are not in the text a person edits either.
      expect(`${TEMPLATES[id].subject}\n${TEMPLATES[id].text}`, id).not.toMatch(USER_FACING_FORBIDDEN);
    }
    expect(render('status_page', vars).text).toContain('30 November 2026');
  });

  it('oncall gets the details users do not', () => {
    const m = render('oncall', vars);
    expect(m.subject).toBe('Rollback complete. Auth0 is primary again.');
    expect(m.text).toContain('Rollback 42 at 2026-11-30T01:02:03.000Z: rule login_success_rate < 95% breached');
    expect(m.text).toContain('switchback postmortem');
  });

  it('a variable nobody fills is an error, never left in the text', () => {
    expect(() => fill('Hello {{nobody}}', {})).toThrow(TemplateError);
    expect(fill('{{ product }}!', { product: 'x' })).toBe('x!');
  });
});
