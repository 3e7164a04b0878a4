/**
 * Drill results (table `drills`, schema v1): what `switchback drill`
 * measured, kept by the controller so the console shows them, the next drill
 * compares its durations with the earlier ones, and a re-enable after a
 * rollback can ask for a passing drill recorded since. Newest first; the
 * last 200 are kept.
 */
export interface DrillRecord {
  seq: number;
  at: string;
  actor: string;
  verdict: 'pass' | 'fail';
  /** The drill's JSON summary as the CLI sent it (validated by the route), as text. */
  report: string;
}

const KEEP = 200;

export class DrillLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS drills (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, verdict TEXT NOT NULL, report TEXT NOT NULL);`);
  }

  record(verdict: 'pass' | 'fail', report: string, actor: string, now = new Date()): DrillRecord {
    const seq = this.sql.exec<{ seq: number }>('INSERT INTO drills (at, actor, verdict, report) VALUES (?, ?, ?, ?) RETURNING seq', now.toISOString(), actor, verdict, report).one().seq;
    this.sql.exec('DELETE FROM drills WHERE seq <= ?', seq - KEEP);
    return { seq, at: now.toISOString(), actor, verdict, report };
  }

  /** Every passing drill kept (seq and time), for the re-enable gate. */
  passing(): { seq: number; at: string }[] {
    return this.sql.exec<{ seq: number; at: string }>("SELECT seq, at FROM drills WHERE verdict = 'pass' ORDER BY seq").toArray();
  }

  list(limit: number): DrillRecord[] {
    return this.sql
      .exec<{ seq: number; at: string; actor: string; verdict: string; report: string }>('SELECT seq, at, actor, verdict, report FROM drills ORDER BY seq DESC LIMIT ?', limit)
      .toArray()
      .map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, verdict: r.verdict === 'pass' ? 'pass' : 'fail', report: r.report }));
  }
}
