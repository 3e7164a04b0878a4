/**
 * /metrics in the Prometheus text exposition format (0.0.4). Counters are
 * cumulative since the controller was created; gauges describe now. The
 * label values are the same reason and outcome codes as everywhere else.
 */
import type { FlagRecord } from '../flag/flag-record.ts';
import type { Evaluation } from './rule-evaluator.ts';
import { METRIC_IDS, METRICS } from './metrics/registry.ts';

const PROVIDER_LOGIN_TOTAL = /^provider_login_(auth0|olympus)_(succeeded|failed)$/;

interface Input {
  flag: FlagRecord;
  totals: Record<string, number>;
  evaluations: (Evaluation & { streak: number })[];
  pendingLogins: number;
  outbox: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function line(name: string, labels: Record<string, string>, value: number | null): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(',');
  return `${name}${l ? `{${l}}` : ''} ${value === null || Number.isNaN(value) ? 'NaN' : value}`;
}

export function prometheusText(m: Input): string {
  const out: string[] = [];
  const help = (name: string, type: 'counter' | 'gauge', text: string) => out.push(`# HELP ${name} ${text}`, `# TYPE ${name} ${type}`);

  help('switchback_flag_enabled', 'gauge', '1 while logins go to Olympus.');
  out.push(line('switchback_flag_enabled', {}, m.flag.enabled ? 1 : 0));
  help('switchback_flag_percent', 'gauge', 'Share of browsers sent to Olympus while enabled.');
  out.push(line('switchback_flag_percent', {}, m.flag.enabled ? (m.flag.percent ?? 100) : 0));
  help('switchback_flag_version', 'gauge', 'Version of the flag record.');
  out.push(line('switchback_flag_version', {}, m.flag.version));
  help('switchback_rollback_timestamp_seconds', 'gauge', 'Time of the last rollback (0 if none).');
  out.push(line('switchback_rollback_timestamp_seconds', {}, m.flag.rollback_at ? Date.parse(m.flag.rollback_at) / 1000 : 0));

  const totals = Object.entries(m.totals).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Each metric's own counter series (metrics/registry.ts), then the providers' hook events.
  for (const id of METRIC_IDS) {
    const series = METRICS[id].series;
    help(series.name, 'counter', series.help);
    let printed = false;
    for (const [key, n] of totals) {
      const labels = series.labels(key);
      if (!labels) continue;
      out.push(line(series.name, labels, n));
      printed = true;
    }
    if (!printed && series.zeroWhenEmpty) out.push(line(series.name, {}, 0));
  }
  help('switchback_provider_login_events_total', 'counter', "Login events reported by the providers' own hooks.");
  for (const [key, n] of totals) {
    const g = PROVIDER_LOGIN_TOTAL.exec(key);
    if (g) out.push(line('switchback_provider_login_events_total', { provider: g[1]!, outcome: g[2]! }, n));
  }
  help('switchback_hook_deliveries_duplicate_total', 'counter', 'Hook deliveries not counted because the delivery ledger had already counted them (replays, retries).');
  out.push(line('switchback_hook_deliveries_duplicate_total', {}, m.totals.hook_deliveries_duplicate ?? 0));
  help('switchback_events_lost_total', 'counter', 'Outcome events lost between the gateway and the controller.');
  out.push(line('switchback_events_lost_total', {}, m.totals.events_lost ?? 0));

  help('switchback_rule_value', 'gauge', 'Observed value of each rule over its window (a rate 0-1, or a count per hour).');
  help('switchback_rule_bound', 'gauge', 'Confidence bound compared with the threshold.');
  help('switchback_rule_threshold', 'gauge', 'Threshold of each rule.');
  help('switchback_rule_samples', 'gauge', 'Samples in the window after per-client caps.');
  help('switchback_rule_state', 'gauge', '1 for the current verdict of each rule (breach, ok, inconclusive).');
  help('switchback_rule_streak', 'gauge', 'Consecutive breaching evaluations.');
  for (const e of m.evaluations) {
    const rule = { rule: e.rule };
    out.push(line('switchback_rule_value', rule, e.value));
    out.push(line('switchback_rule_bound', rule, e.bound));
    out.push(line('switchback_rule_threshold', rule, e.threshold));
    out.push(line('switchback_rule_samples', rule, e.samples));
    for (const v of ['breach', 'ok', 'inconclusive']) out.push(line('switchback_rule_state', { ...rule, verdict: v }, e.verdict === v ? 1 : 0));
    out.push(line('switchback_rule_streak', rule, e.streak));
  }
  help('switchback_rule_detector_ratio', 'gauge', "Sequential detector: largest chart statistic over its threshold (S/h); 1 or more is the evidence to roll back.");
  help('switchback_rule_detector_horizon_seconds', 'gauge', 'Sequential detector: the learnt horizon H after which a started login that is not back is overdue.');
  help('switchback_rule_detector_overdue_null', 'gauge', 'Sequential detector: the learnt share of logins not back by H when healthy (o0).');
  for (const e of m.evaluations) {
    if (!e.detector) continue;
    const rule = { rule: e.rule };
    out.push(line('switchback_rule_detector_ratio', { ...rule, family: e.detector.leading.family }, e.detector.ratio));
    if (e.detector.horizon_seconds !== null) out.push(line('switchback_rule_detector_horizon_seconds', rule, e.detector.horizon_seconds));
    if (e.detector.overdue_null !== null) out.push(line('switchback_rule_detector_overdue_null', rule, e.detector.overdue_null));
  }
  help('switchback_pending_logins', 'gauge', 'Logins started and not yet back (abandoned after abandon_after).');
  out.push(line('switchback_pending_logins', {}, m.pendingLogins));
  help('switchback_notifications_pending', 'gauge', 'Notifications waiting for delivery.');
  out.push(line('switchback_notifications_pending', {}, m.outbox));
  return `${out.join('\n')}\n`;
}
