/**
 * What the rollback command prints: one line per step as it finishes (number,
 * name, OK/FAILED/SKIPPED, milliseconds, what was seen), the plan's closing
 * sentences and the total; or, with --json, one JSON document at the end.
 * Every byte goes through the redactor, so neither the admin token nor a
 * proxy header value can reach a terminal, a CI log or a paste in a channel.
 */

import { totalVerdict } from './rollback-wording.ts';

export type StepStatus = 'OK' | 'FAILED' | 'SKIPPED';

export interface StepRecord {
  step: number;
  id: string;
  title: string;
  status: StepStatus;
  ms: number;
  detail: string;
  /** A failed required step makes the exit code non-zero. */
  required: boolean;
}

export interface ReportSummary {
  ok: boolean;
  exitCode: number;
  rolledBack: boolean | undefined;
  alreadyOnAuth0: boolean | undefined;
  overlap: { rollback_at: string; ends_at: string; seconds_left: number } | null | undefined;
  totalMs: number;
  targetMs: number;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

const REDACTED = '[redacted]';

export function redactor(secrets: string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text) => list.reduce((t, s) => t.split(s).join(REDACTED), text);
}

export class RollbackReport {
  readonly steps: StepRecord[] = [];
  private readonly messages: string[] = [];
  private readonly redact: (text: string) => string;

  constructor(
    private readonly json: boolean,
    secrets: string[],
    private readonly io: Output,
    private readonly context: { gatewayUrl: string; reason: string; totalSteps: number },
  ) {
    this.redact = redactor(secrets);
  }

  start(): void {
    if (this.json) return;
    this.io.out(this.redact(`switchback rollback: ${this.context.gatewayUrl}, reason "${this.context.reason}", started ${new Date().toISOString()}\n`));
  }

  step(record: StepRecord): void {
    const clean = { ...record, detail: this.redact(record.detail) };
    this.steps.push(clean);
    if (this.json) return;
    const n = `${record.step}/${this.context.totalSteps}`;
    this.io.out(`${n} ${record.title.padEnd(24)} ${record.status.padEnd(7)} ${String(record.ms).padStart(6)} ms  ${clean.detail}\n`);
  }

  /** A sentence for the operator (the plan's "Rollback complete...", the overlap end, a warning). */
  say(text: string): void {
    const clean = this.redact(text);
    this.messages.push(clean);
    if (!this.json) this.io.out(`${clean}\n`);
  }

  finish(summary: ReportSummary): void {
    const verdict = totalVerdict(summary.totalMs, summary.targetMs, summary.ok);
    if (this.json) {
      const doc = {
        ok: summary.ok,
        exit_code: summary.exitCode,
        gateway: this.context.gatewayUrl,
        reason: this.context.reason,
        rolled_back: summary.rolledBack ?? null,
        already_on_auth0: summary.alreadyOnAuth0 ?? null,
        steps: this.steps,
        messages: this.messages,
        overlap: summary.overlap ?? null,
        total_ms: summary.totalMs,
        target_ms: summary.targetMs,
      };
      this.io.out(`${this.redact(JSON.stringify(doc, null, 2))}\n`);
      return;
    }
    this.io.out(`Total: ${summary.totalMs} ms (${verdict})\n`);
    if (!summary.ok) {
      const failed = this.steps.filter((s) => s.status === 'FAILED').map((s) => `${s.step}. ${s.title}: ${s.detail}`);
      const head = summary.exitCode === 3 ? 'Rollback FAILED: the gateway did not confirm the flip.' : 'Rolled back, but a check FAILED:';
      this.io.err(this.redact(`${head}\n${failed.map((f) => `  ${f}`).join('\n')}\n`));
    }
  }

  /** A usage error: the message (and where help is, in human mode); JSON mode prints it as a document too. */
  static usageError(json: boolean, message: string, hint: string, io: Output): void {
    if (json) io.out(`${JSON.stringify({ ok: false, exit_code: 2, error: message }, null, 2)}\n`);
    io.err(`switchback rollback: ${message}\n${json ? '' : `(${hint})\n`}`);
  }
}
