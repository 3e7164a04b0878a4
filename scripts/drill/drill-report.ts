// The drill's verdict and its three reports: JSON (what the gateway stores), Markdown (for the
// ticket), and a self-contained HTML page with the timeline drawn. Pure: a run in, text out.
import type { DrillRun } from './drill-run.ts';
import { escapeHtml } from '../../dev/http-util.ts';

export interface Criterion {
  name: string;
  pass: boolean;
  measured: string;
  target: string;
}

export interface DrillSummary {
  verdict: 'pass' | 'fail';
  started_at: string;
  /** When the drill ended (the re-enable gate counts a drill from then, wherever it is recorded). */
  finished_at?: string;
  mode: 'automatic' | 'manual';
  environment: string;
  durations_ms: Record<string, number | null>;
  criteria: Criterion[];
  failed_logins: number;
}

const seconds = (ms: number | null) => (ms === null ? 'not observed' : `${(ms / 1000).toFixed(1)} s`);
const since = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.max(0, to - from));

export interface DrillDurations {
  injected_to_first_breach: number | null;
  injected_to_decision: number | null;
  decision_to_login_on_legacy: number | null;
  injected_to_legacy_sign_in: number | null;
}

export function durations(run: DrillRun): DrillDurations {
  const { injected, firstBreach, decision, loginOnLegacy, legacySignIn } = run.t;
  return {
    injected_to_first_breach: since(injected, firstBreach),
    injected_to_decision: since(injected, decision),
    decision_to_login_on_legacy: since(decision, loginOnLegacy),
    injected_to_legacy_sign_in: since(injected, legacySignIn),
  };
}

/** How the failure was injected, and the drill mode's own counters when it was used. */
function injectionWords(run: DrillRun): string {
  if (run.injection.how === 'stand-in') return 'the Olympus stand-in (every login denied)';
  const c = run.injection.counters;
  return `the controller's drill mode (synthetic outcomes, never in the real windows)${c ? `; drill counters: ${c.failed} failed, ${c.succeeded} succeeded, ${c.clients} synthetic clients, ${c.batches} batches` : ''}`;
}

export function summarize(run: DrillRun, targetMs: number, environment: string, finishedAt = Date.now()): DrillSummary {
  const d = durations(run);
  const criteria: Criterion[] = [
    { name: 'steady state before the drill', pass: run.steadyState.ok, measured: run.steadyState.detail, target: 'healthy, /login as the flag says, no rule breaching' },
    { name: 'rollback within the target', pass: d.injected_to_decision !== null && d.injected_to_decision <= targetMs, measured: run.rolledBackBy ? `${seconds(d.injected_to_decision)} (by ${run.rolledBackBy})` : 'no rollback', target: `<= ${targetMs / 1000} s after the first failing login` },
    { name: 'the legacy provider serves sign-in', pass: run.legacySignInOk, measured: run.legacySignInOk ? `signed in ${seconds(d.injected_to_legacy_sign_in)} after the failure` : 'sign-in failed', target: 'a real sign-in with a test user' },
    { name: 'nobody signed out early', pass: run.sessionKept.ok, measured: run.sessionKept.detail, target: 'a session from before the rollback still works inside the overlap' },
    { name: 'logs as the plan expects', pass: run.logs.ok, measured: run.logs.ok ? 'flag change, rollback and both notifications, in order, once' : [run.logs.missing.length ? `missing ${run.logs.missing.join(', ')}` : '', run.logs.duplicated.length ? `twice: ${run.logs.duplicated.join(', ')}` : '', run.logs.outOfOrder ? 'out of order' : '', run.logs.notificationsFailed ? `${run.logs.notificationsFailed} notification deliveries failed` : ''].filter(Boolean).join('; ') || 'not compared', target: 'each expected event present, in order, once' },
    { name: 'restored', pass: run.restored.ok, measured: run.restored.detail, target: 'the flag and the stand-in as they were' },
  ];
  return {
    verdict: criteria.every((c) => c.pass) ? 'pass' : 'fail',
    started_at: new Date(run.startedAt).toISOString(),
    finished_at: new Date(Math.max(finishedAt, run.startedAt)).toISOString(),
    mode: run.mode,
    environment: environment.slice(0, 200),
    durations_ms: { ...d },
    criteria: criteria.map((c) => ({ ...c, measured: c.measured.slice(0, 200), target: c.target.slice(0, 200) })),
    failed_logins: run.failedLogins,
  };
}

export function markdown(run: DrillRun, s: DrillSummary, trend: string[]): string {
  const lines = [
    `# Rollback drill: ${s.verdict.toUpperCase()}`,
    '',
    `${s.started_at}, ${s.environment}, rollback ${s.mode === 'manual' ? 'by hand' : 'by the rules'}.`,
    '',
    `**Hypothesis.** ${run.hypothesis}`,
    '',
    '| Criterion | Verdict | Measured | Target |',
    '|---|---|---|---|',
    ...s.criteria.map((c) => `| ${c.name} | ${c.pass ? 'pass' : '**FAIL**'} | ${c.measured} | ${c.target} |`),
    '',
    '## Durations',
    '',
    '| From failure injected to | Time |',
    '|---|---|',
    ...Object.entries(s.durations_ms).map(([k, v]) => `| ${k.replaceAll('_', ' ')} | ${seconds(v)} |`),
    '',
    `Failed logins during the drill: ${s.failed_logins}.`,
    `Failure injected by: ${injectionWords(run)}.`,
    '',
    '## Timeline',
    '',
    ...run.events.map((e) => `- +${((e.at - run.startedAt) / 1000).toFixed(1)} s ${e.step}${e.detail ? `: ${e.detail}` : ''}`),
  ];
  if (trend.length) lines.push('', '## Compared with earlier drills', '', ...trend.map((t) => `- ${t}`));
  return `${lines.join('\n')}\n`;
}

const esc = escapeHtml;

/** One page, no script, no external file: open it from the ticket or attach it to the postmortem. */
export function html(run: DrillRun, s: DrillSummary, trend: string[]): string {
  const end = Math.max(...run.events.map((e) => e.at), run.startedAt + 1);
  const span = end - run.startedAt;
  const bars = run.events
    .map((e) => {
      const left = ((e.at - run.startedAt) / span) * 100;
      return `<li><span class="label">+${((e.at - run.startedAt) / 1000).toFixed(1)} s ${esc(e.step)}</span><span class="track"><span class="dot" style="left:${left.toFixed(2)}%"></span></span><span class="detail">${esc(e.detail)}</span></li>`;
    })
    .join('\n');
  const rows = s.criteria.map((c) => `<tr class="${c.pass ? 'pass' : 'fail'}"><th scope="row">${esc(c.name)}</th><td>${c.pass ? '✔ pass' : '✖ FAIL'}</td><td>${esc(c.measured)}</td><td>${esc(c.target)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rollback drill ${esc(s.started_at)}: ${s.verdict}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1 .pass{color:#1a7f37}h1 .fail{color:#b42318}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}
tr.fail{background:#fdecea}
ol.timeline{list-style:none;padding:0}ol.timeline li{display:grid;grid-template-columns:18rem 1fr;gap:.2rem 1rem;margin:.3rem 0}
.track{position:relative;height:1rem;background:#eef1f4;border-radius:.5rem}.dot{position:absolute;top:.1rem;width:.8rem;height:.8rem;margin-left:-.4rem;border-radius:50%;background:#2f6fde}
.detail{grid-column:2;color:#5b6470;font-size:.9rem}
</style></head><body>
<h1>Rollback drill: <span class="${s.verdict}">${s.verdict.toUpperCase()}</span></h1>
<p>${esc(s.started_at)}, ${esc(s.environment)}, rollback ${s.mode === 'manual' ? 'by hand' : 'by the rules'}.</p>
<p><strong>Hypothesis.</strong> ${esc(run.hypothesis)}</p>
<table><thead><tr><th>Criterion</th><th>Verdict</th><th>Measured</th><th>Target</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Timeline</h2>
<ol class="timeline">
${bars}
</ol>
<h2>Durations from the injected failure</h2>
<ul>${Object.entries(s.durations_ms).map(([k, v]) => `<li>${esc(k.replaceAll('_', ' '))}: ${seconds(v)}</li>`).join('')}</ul>
<p>Failed logins during the drill: ${s.failed_logins}. Failure injected by: ${esc(injectionWords(run))}.</p>
${trend.length ? `<h2>Compared with earlier drills</h2><ul>${trend.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}

/** Each duration against the median of the earlier passing drills. */
export function trendLines(current: DrillSummary, earlier: readonly DrillSummary[]): string[] {
  const passing = earlier.filter((d) => d.verdict === 'pass');
  if (!passing.length) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(current.durations_ms)) {
    const xs = passing.map((d) => d.durations_ms[k]).filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    if (v === null || !xs.length) continue;
    const med = xs[Math.floor(xs.length / 2)]!;
    out.push(`${k.replaceAll('_', ' ')}: ${seconds(v)} now, median ${seconds(med)} over ${xs.length} earlier passing drill${xs.length === 1 ? '' : 's'}`);
  }
  return out;
}
