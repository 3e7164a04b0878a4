/**
 * The reconcile journal on disk (JSON lines, scripts/cli/file-journal.ts):
 * one event appended per settled identity, email and page, instead of the
 * whole checkpoint rewritten at every step. A checkpoint file of the older
 * format (one JSON object, schema switchback.reconcile.checkpoint.v1) is
 * converted to events once, so an interrupted run resumes across the upgrade.
 */
import { join } from 'node:path';
import type { Journal } from '../../src/reconcile/journal.ts';
import type { ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import type { ReportLine } from '../../src/reconcile/reconcile-report.ts';
import type { ReconcileWindow } from '../../src/reconcile/reconcile-window.ts';
import { fileJournal } from './file-journal.ts';

export function defaultCheckpointPath(w: ReconcileWindow, dryRun: boolean): string {
  const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '');
  return join('.switchback', `reconcile-${stamp(w.from)}-${stamp(w.to)}${dryRun ? '-dry-run' : ''}.checkpoint.jsonl`);
}

interface CheckpointV1 {
  schema: 'switchback.reconcile.checkpoint.v1';
  run_id: string;
  window: { from: string; to: string };
  dry_run: boolean;
  started_at: string;
  next_page_token: string | null | undefined;
  pages_done: number;
  scanned: number;
  lines: Record<string, ReportLine>;
  emailing: Record<string, true>;
  emailed?: Record<string, true>;
}

function fromV1(cp: CheckpointV1): ReconcileEvent[] {
  const out: ReconcileEvent[] = [{ e: 'run', run_id: cp.run_id, window: cp.window, dry_run: cp.dry_run, started_at: cp.started_at }];
  for (const line of Object.values(cp.lines)) out.push({ e: 'line', line });
  for (const id of Object.keys(cp.emailing)) out.push({ e: 'emailing', id });
  for (const id of Object.keys(cp.emailed ?? {})) out.push({ e: 'emailed', id });
  // Pages: only where to go on matters (and the count scanned so far).
  if (cp.pages_done > 0 || cp.next_page_token === undefined) out.push({ e: 'page', next: cp.next_page_token ?? null, scanned: cp.scanned });
  return out;
}

export function fileCheckpoint(path: string): Journal<ReconcileEvent> & { close(): Promise<void> } {
  const j = fileJournal<ReconcileEvent>(path, `${path} (reconcile journal)`);
  return {
    ...j,
    async read() {
      const events = await j.read();
      const first = events[0] as unknown as { schema?: string; e?: string } | undefined;
      if (first?.schema === 'switchback.reconcile.checkpoint.v1') {
        const converted = fromV1(first as unknown as CheckpointV1);
        await j.rewrite(converted);
        return converted;
      }
      if (first !== undefined && first.e !== 'run') throw new Error(`${path} is not a reconcile checkpoint`);
      return events;
    },
  };
}
