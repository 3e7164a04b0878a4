/**
 * `reconcile --undo <report>`: removes exactly the legacy users a run created.
 * A user is deleted only if its mark (src/reconcile/legacy-mark.ts) names the
 * same Olympus identity and the same run id: anything else (the mirror's
 * users, another run's, the person's own account) is kept and reported.
 */
import { readFile } from 'node:fs/promises';
import { createdByRun } from '../../src/reconcile/legacy-mark.ts';
import type { ReconcileTarget, TargetUser } from '../../src/reconcile/reconcile-target.ts';
import { isCreated, type Report } from '../../src/reconcile/reconcile-report.ts';

export async function undoReport(target: ReconcileTarget, path: string, dryRun: boolean): Promise<{ deleted: number; missing: number; kept: number; failed: number }> {
  const report = JSON.parse(await readFile(path, 'utf8')) as Report;
  if (report.schema !== 'switchback.reconcile.report.v1') throw new Error(`${path} is not a reconcile report`);
  const result = { deleted: 0, missing: 0, kept: 0, failed: 0 };
  for (const line of report.lines.filter((l) => isCreated(l.status))) {
    try {
      let user: TargetUser | undefined = line.auth0_user_id ? await target.get(line.auth0_user_id) : undefined;
      if (!user && line.email) user = (await target.findByEmail(line.email)).find((u) => u.mark?.olympusId === line.identity_id);
      if (!user) {
        result.missing++;
        continue;
      }
      if (!createdByRun(user, line.identity_id, report.run_id)) {
        result.kept++;
        continue;
      }
      if (!dryRun) await target.remove(user.id);
      result.deleted++;
    } catch (err) {
      result.failed++;
      console.error(`  ${line.identity_id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}
