/**
 * The password check against Clerk, in two Backend API calls within one
 * time budget: find the user by email (GET /v1/users?email_address=), then
 * POST /v1/users/{id}/verify_password
 * (https://clerk.com/docs/reference/backend-api/tag/users/post/users/%7Buser_id%7D/verify_password).
 *
 * No user with that email, or more than one (an instance without unique
 * emails: which account would Olympus take?): 403. A locked or banned user:
 * 403 without asking, like a wrong password. Clerk's 429: throttling (its
 * limits are per instance, 1,000 requests per 10 s in production, shared with
 * every other Backend API caller of the instance).
 */
import type { PasswordMigrationOptions } from '../config.ts';
import { ClerkBackendClient } from '../providers/admin/clerk-backend-client.ts';
import { withinDeadline } from './admin-check-result.ts';
import type { LegacyPasswordCheck } from './password-check.ts';

export function clerkPasswordCheck(options: Extract<PasswordMigrationOptions, { legacy: 'clerk' }>): LegacyPasswordCheck {
  const clerk = new ClerkBackendClient(options.clerk);
  return {
    check: (identifier, password, _clientAddress, deadline) =>
      withinDeadline(deadline, async (budget) => {
        const users = await clerk.findUsersByEmail(identifier, { timeoutMs: budget() });
        if (users.length !== 1) return { outcome: 'mismatch', reason: 'user_not_found' };
        const user = users[0]!;
        if (user.locked || user.banned) return { outcome: 'mismatch', reason: 'user_blocked' };
        const verified = await clerk.verifyPassword(user.id, password, { timeoutMs: budget() });
        return verified ? { outcome: 'match', reason: 'accepted' } : { outcome: 'mismatch', reason: 'invalid_credentials' };
      }),
  };
}
