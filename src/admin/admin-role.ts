/**
 * The admin roles, ordered `viewer` < `oncall` < `eng-lead`. A module of its
 * own so the rules (which name the roles allowed a manual rollback) and the
 * configuration (which parses the rules) do not import each other.
 */
export type AdminRole = 'viewer' | 'oncall' | 'eng-lead';

/**
 * Who an admin API token can be: one of the ordered roles, or `mirror`,
 * outside the order: switchback mirror's token, which may send the mirror's
 * heartbeat and nothing else (no read, no flag, no rollback, no console), so
 * a token kept on the Olympus network cannot move the flag if it leaks.
 */
export type ActorRole = AdminRole | 'mirror';
