/**
 * `reconcile --undo <report>`: removes exactly the Auth0 users a run created.
 * A user is deleted only if its app_metadata names the same Olympus identity
 * and the same run id: anything else is kept and reported.
 */
import { readFile } from 'node:fs/promises';
import type { Auth0ManagementClient, Auth0User } from '../../src/reconcile/auth0-management-client.ts';
import { isCreated, type Report } from '../../src/reconcile/reconcile-report.ts';
import { createdByRun } from '../../src/reconcile/identity-mapper.ts';

export async function undoReport(auth0: Auth0ManagementClient, path: string, dryRun: boolean): Promise<{ deleted: number; missing: number; kept: number; failed: number }> {
  const report = JSON.parse(await readFile(path, 'utf8')) as Report;
  if (report.schema !== 'switchback.reconcile.report.v1') throw new Error(`${path} is not a reconcile report`);
  const result = { deleted: 0, missing: 0, kept: 0, failed: 0 };
  for (const line of report.lines.filter((l) => isCreated(l.status))) {
    try {
      let user: Auth0User | undefined = line.auth0_user_id ? await auth0.getUser(line.auth0_user_id) : undefined;
      if (!user && line.email) user = (await auth0.usersByEmail(line.email)).find((u) => (u.app_metadata as { olympus_id?: string } | undefined)?.olympus_id === line.identity_id);
      if (!user) {
        result.missing++;
        continue;
      }
      if (!createdByRun(user, line.identity_id, report.run_id)) {
        result.kept++;
        continue;
      }
      if (!dryRun) await auth0.deleteUser(user.user_id);
      result.deleted++;
    } catch (err) {
      result.failed++;
      console.error(`  ${line.identity_id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}
