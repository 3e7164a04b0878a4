/** One audit record, as /_switchback/api/audit returns it (plain JSON; shared with Node tooling). */
export interface AuditEntry {
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}
