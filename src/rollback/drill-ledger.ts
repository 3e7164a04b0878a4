/**
 * Drill results (table `drills`, schema v2): what `switchback drill`
 * measured, kept by the controller so the console shows them, the next drill
 * compares its durations with the earlier ones, and a re-enable after a
 * rollback can ask for a passing drill finished since. Newest first; the
 * last 200 are kept.
 *
 * v2 adds where the drill ran: a team that rehearses on staging sends the
 * summary to prod's controller (`npm run drill -- --record-to <prod>`); such a
 * drill is `elsewhere` (its gateway URL in `environment`), and when it
 * finished (`finished_at`, from the summary) is what the re-enable gate
 * compares with the rollback, not when it was recorded: a drill that ran
 * before the rollback and was sent afterwards does not count.
 */
export interface DrillRecord {
  seq: number;
  /** When this controller recorded it. */
  at: string;
  actor: string;
  verdict: 'pass' | 'fail';
  /** The drill's JSON summary as the CLI sent it (validated by the route), as text. */
  report: string;
  /** When the drill finished, as its summary says; null for drills recorded before v2 (their `at` stands in). */
  finished_at: string | null;
  /** The gateway the drill ran against (the summary's `environment`). */
  environment: string | null;
  /** Ran against another gateway (staging) and sent here. */
  elsewhere: boolean;
}

/** Where and when a drill ran, as the route derived it from the summary. */
export interface DrillOrigin {
  finishedAt: string | null;
  environment: string;
  elsewhere: boolean;
}

/** A passing drill, as the re-enable gate reads it. */
export interface PassingDrill {
  seq: number;
  at: string;
  /** When it counts from: its finish time (recorded at `at` before v2). */
  finished_at: string;
  environment: string | null;
  elsewhere: boolean;
}

const KEEP = 200;

export class DrillLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS drills (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, verdict TEXT NOT NULL, report TEXT NOT NULL);`);
    // v1 -> v2: the columns added when missing (a v1 table keeps its rows; they read as recorded here, finished when recorded).
    const columns = new Set(sql.exec<{ name: string }>('PRAGMA table_info(drills)').toArray().map((c) => c.name));
    if (!columns.has('finished_at')) sql.exec('ALTER TABLE drills ADD COLUMN finished_at TEXT');
    if (!columns.has('environment')) sql.exec('ALTER TABLE drills ADD COLUMN environment TEXT');
    if (!columns.has('elsewhere')) sql.exec('ALTER TABLE drills ADD COLUMN elsewhere INTEGER NOT NULL DEFAULT 0');
  }

  record(verdict: 'pass' | 'fail', report: string, actor: string, origin: DrillOrigin, now = new Date()): DrillRecord {
    const seq = this.sql
      .exec<{ seq: number }>('INSERT INTO drills (at, actor, verdict, report, finished_at, environment, elsewhere) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq', now.toISOString(), actor, verdict, report, origin.finishedAt, origin.environment, origin.elsewhere ? 1 : 0)
      .one().seq;
    this.sql.exec('DELETE FROM drills WHERE seq <= ?', seq - KEEP);
    return { seq, at: now.toISOString(), actor, verdict, report, finished_at: origin.finishedAt, environment: origin.environment, elsewhere: origin.elsewhere };
  }

  /** Every passing drill kept, for the re-enable gate. */
  passing(): PassingDrill[] {
    return this.sql
      .exec<{ seq: number; at: string; finished_at: string | null; environment: string | null; elsewhere: number }>("SELECT seq, at, finished_at, environment, elsewhere FROM drills WHERE verdict = 'pass' ORDER BY seq")
      .toArray()
      .map((r) => ({ seq: r.seq, at: r.at, finished_at: r.finished_at ?? r.at, environment: r.environment, elsewhere: r.elsewhere === 1 }));
  }

  list(limit: number): DrillRecord[] {
    return this.sql
      .exec<{ seq: number; at: string; actor: string; verdict: string; report: string; finished_at: string | null; environment: string | null; elsewhere: number }>('SELECT seq, at, actor, verdict, report, finished_at, environment, elsewhere FROM drills ORDER BY seq DESC LIMIT ?', limit)
      .toArray()
      .map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, verdict: r.verdict === 'pass' ? 'pass' : 'fail', report: r.report, finished_at: r.finished_at, environment: r.environment, elsewhere: r.elsewhere === 1 }));
  }
}
