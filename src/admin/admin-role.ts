/**
 * The admin roles, ordered `viewer` < `oncall` < `eng-lead`. A module of its
 * own so the rules (which name the roles allowed a manual rollback) and the
 * configuration (which parses the rules) do not import each other.
 */
export type AdminRole = 'viewer' | 'oncall' | 'eng-lead';
