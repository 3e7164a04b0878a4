// The rollback rules `npm start` runs with when ROLLBACK_RULES is not set:
// the plan's rules, with a login rule fast and small enough that the printed
// failure drill (`npm run drill`: 8 clients, 2 failed logins each) really
// rolls back within seconds. Production keeps the plan's defaults
// (src/rollback/rules.ts DEFAULT_RULES_YAML); the banner says so.
export const DEMO_LOGIN_RULE = 'login_success_rate < 95%';

export const DEMO_RULES = {
  evaluate_every: '1s',
  rollback_if: [
    { rule: DEMO_LOGIN_RULE, window: '1m', min_samples: 10, min_clients: 5, consecutive: 2 },
    'api_error_rate > 5%',
    'support_tickets_per_hour > 50',
    { manual_decision_by: ['oncall', 'eng-lead'] },
  ],
};

/** On one line (JSON is YAML): the gateway's env file takes no line breaks. */
export const DEMO_ROLLBACK_RULES = JSON.stringify(DEMO_RULES);
