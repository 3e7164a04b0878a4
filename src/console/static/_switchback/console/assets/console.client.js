// switchback operator console (browser side). Plain ES2020, no build step:
// served as is, as a Workers Static Asset (src/console/console-assets.ts).
//
// Everything shown comes from the admin API (/_switchback/api) with the
// console's session cookie; every change sends the session's CSRF token.
// Refreshes pause while the tab is hidden; a failed refresh shows
// "reconnecting" with the age of the data on screen, never stale data as live.

const API = '/_switchback/api';
const REFRESH_MS = 5000;
const AUDIT_EVERY = 3; // audit with every third refresh
const RANK = { viewer: 0, oncall: 1, 'eng-lead': 2 };

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
const csrf = meta('switchback-csrf');
const role = meta('switchback-role');
const can = (needed) => (RANK[role] ?? -1) >= RANK[needed];

const $ = (id) => document.getElementById(id);

/** Builds an element: h('p', { class: 'x' }, 'text', child). Text is always text, never HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error_description ?? `The gateway answered ${status}.`);
    this.status = status;
    this.code = body?.error;
  }
}

async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if ((init.method ?? 'GET') !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(`${API}${path}`, { ...init, headers, credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) {
    location.assign('/_switchback/console/sign-in');
    throw new ApiError(401, { error_description: 'Signed out.' });
  }
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

// ---- state ----------------------------------------------------------------

const state = {
  status: undefined,
  rules: undefined,
  audit: [],
  lastOkAt: 0,
  failing: false,
  refreshes: 0,
  filter: '',
  range: '1h',
  history: undefined,
  drills: undefined,
};

const RANGES = [
  ['15m', '15 min'],
  ['1h', '1 h'],
  ['6h', '6 h'],
  ['24h', '24 h'],
];

// ---- formatting -------------------------------------------------------------

const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const perHour = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(1)}/h`);
const isRate = (metric) => metric !== 'support_tickets_per_hour';
const fmtValue = (metric, v) => (isRate(metric) ? pct(v) : perHour(v));

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

function countdown(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

const PROVIDER_NAMES = { auth0: 'Auth0 (legacy)', olympus: 'Olympus' };

// ---- announcements (screen readers hear changes, not the ticking clock) --------

const said = { provider: undefined, verdicts: new Map() };

function announceChanges(s) {
  const words = [];
  const live = s.active_provider;
  if (said.provider !== undefined && said.provider !== live) words.push(`Sign-in is now on ${live}.`);
  said.provider = live;
  for (const ev of s.rules) {
    const before = said.verdicts.get(ev.rule);
    if (before !== undefined && before !== ev.verdict) words.push(`Rule ${ev.rule}: ${verdictOf(ev, s.dry_run).word}.`);
    said.verdicts.set(ev.rule, ev.verdict);
  }
  if (words.length) $('announce').textContent = words.join(' ');
}

// ---- header -----------------------------------------------------------------

/** The latest drill's verdict and how its time to roll back compares with the drill before (GET /drills, newest first). */
function drillLine(drills) {
  if (!drills) return undefined;
  if (!drills.length) return { cls: 'badge warn', text: '⏱ No rollback drill recorded yet (npm run drill)', title: '' };
  const [last, before] = drills;
  const ms = (d) => d?.report?.durations_ms?.injected_to_decision;
  const now = ms(last);
  const prev = ms(before);
  const secs = (v) => `${(v / 1000).toFixed(1)} s`;
  const trend = typeof now === 'number' && typeof prev === 'number' ? (now > prev * 1.2 ? ` ↑ slower than the drill before (${secs(prev)})` : now < prev / 1.2 ? ` ↓ faster than the drill before (${secs(prev)})` : ` ≈ the drill before (${secs(prev)})`) : '';
  const failed = (last.report?.criteria ?? []).filter((c) => !c.pass).map((c) => c.name);
  return {
    cls: last.verdict === 'pass' ? 'badge info' : 'badge bad',
    text: `⏱ Last drill ${last.verdict === 'pass' ? 'PASSED' : `FAILED (${failed.join(', ') || '?'})`} ${ago(Date.now() - Date.parse(last.at))}${typeof now === 'number' ? `; rolled back in ${secs(now)}${trend}` : ''}`,
    title: `${drills.length} drills recorded; latest by ${last.actor} at ${last.at}`,
  };
}

/** The re-enable gate's codes in words (src/rollback/reenable-gate.ts). */
const GATE_WORDS = { postmortem_missing: 'a postmortem link', drill_missing: 'a passing drill since the rollback', cooldown_running: 'the cooldown to end', rollback_permanent: 'reopening (decided permanent)' };

function renderState() {
  const s = state.status;
  const box = $('state');
  box.replaceChildren();
  if (!s) {
    box.append(h('span', { class: state.failing ? 'badge bad' : 'loading' }, state.failing ? '⚠ Cannot reach the gateway, retrying…' : 'Loading…'));
    return;
  }
  const flag = s.flag;
  const live = flag.enabled ? (flag.percent !== undefined && flag.percent < 100 ? `Olympus for ${flag.percent}% of browsers` : 'Olympus') : PROVIDER_NAMES.auth0;
  box.append(
    h('span', { class: `provider ${flag.enabled ? 'on' : 'off'}`, id: 'active-provider' }, h('span', { 'aria-hidden': 'true' }, flag.enabled ? '● ' : '◆ '), 'Sign-in: ', h('strong', {}, live)),
    h('span', { class: 'flag-meta', id: 'flag-version', title: flag.reason }, flag.version === 0 ? 'no flag stored yet: the legacy provider is the safe default' : `flag v${flag.version} by ${flag.updated_by}, ${ago(Date.now() - Date.parse(flag.updated_at))}`),
  );
  const pause = s.automatic_rollback_paused;
  if (pause) box.append(h('span', { class: 'badge warn', id: 'paused', title: pause.reason }, `‖ Automatic rollback paused by ${pause.by} until ${clock(pause.until)}: ${pause.reason}`));
  else if (s.dry_run) box.append(h('span', { class: 'badge warn', id: 'dry-run' }, '‖ Dry run: rules notify, never flip'));
  if (s.overlap && s.overlap.seconds_left > 0) {
    const left = Math.max(0, Math.ceil((Date.parse(s.overlap.ends_at) - Date.now()) / 1000));
    box.append(h('span', { class: 'badge info', id: 'overlap' }, `↺ Rolled back ${clock(s.overlap.rollback_at)}; Olympus tokens honoured for ${countdown(left)} more`));
  }
  const gate = s.reenable_gate;
  if (gate && gate.applies) {
    const needs = gate.missing.length ? `Re-enable needs: ${gate.missing.map((m) => GATE_WORDS[m.code] ?? m.code).join(', ')}` : 'Re-enable: postmortem linked, drill passed, cooldown over';
    box.append(h('span', { class: `badge ${gate.missing.length ? 'warn' : 'info'}`, id: 'reenable-gate', title: gate.missing.map((m) => m.message).join('\n') }, `${gate.decision ? `Rollback ${gate.decision.kind}. ` : ''}${needs}`));
  }
  const drill = drillLine(state.drills);
  if (drill) box.append(h('span', { class: drill.cls, id: 'last-drill', title: drill.title }, drill.text));
  const courier = s.courier;
  if (courier) {
    const c = courier.last_check;
    const trouble = c && c.state === 'checked' && (c.must_move || (c.legacy && ((c.legacy.checked && !c.legacy.ok) || c.legacy.verdict === 'warning')));
    box.append(h('span', { class: trouble ? 'badge bad' : 'flag-meta', id: 'courier', title: c ? [c.legacy?.detail, c.olympus?.detail].filter(Boolean).join('\n') : 'checked after a rollback' },
      `✉ Email sent by ${courier.configured === 'olympus' ? 'Olympus' : PROVIDER_NAMES.auth0}${trouble ? `: ${c.must_move ? 'must move to the legacy provider' : c.legacy.verdict === 'warning' ? 'legacy delivery will not carry it' : 'legacy delivery not confirmed'}` : ''}`));
  }
  const age = Date.now() - state.lastOkAt;
  box.append(
    state.failing
      ? h('span', { class: 'badge bad', id: 'freshness' }, `⚠ Reconnecting… data from ${ago(age)}`)
      : h('span', { class: 'fresh', id: 'freshness' }, `data as of ${clock(new Date(state.lastOkAt).toISOString())}`),
  );
}

// ---- rule cards ---------------------------------------------------------------

function ruleConfig(id) {
  return state.rules?.rules?.find((r) => r.id === id);
}

/** The verdict in words, and what would happen next. */
function verdictOf(ev, dryRun, olympusOn = true) {
  if (ev.verdict === 'breach' && !olympusOn) return { cls: 'warn', icon: '⚑', word: 'Breaching', next: 'Olympus is off: nothing to roll back; the rule watches again when Olympus is re-enabled.' };
  if (ev.verdict === 'breach') {
    if (dryRun) return { cls: 'warn', icon: '⚑', word: 'Would fire (dry run)', next: 'Breaching: in a dry run this notifies and never flips.' };
    if (ev.decided_by === 'detector') return { cls: 'bad', icon: '✖', word: 'Breaching', next: 'The evidence is enough: rolls back now.' };
    const left = Math.max(0, (ev.consecutive ?? 1) - (ev.streak ?? 0));
    return { cls: 'bad', icon: '✖', word: 'Breaching', next: left <= 1 ? 'Rolls back at the next evaluation if this continues.' : `Rolls back after ${left} more breaching evaluations.` };
  }
  if (ev.verdict === 'inconclusive') return { cls: 'muted', icon: '…', word: 'Not enough data', next: ev.note ?? 'Too few samples or clients to decide.' };
  return { cls: 'good', icon: '✔', word: 'Healthy', next: 'Within the threshold with evidence.' };
}

function renderRules() {
  const s = state.status;
  const box = $('rules');
  if (!s) return;
  const cards = s.rules.map((ev) => {
    const cfg = ruleConfig(ev.rule);
    // A dry run's decision resets the rule's evidence: the card keeps saying it would have fired, for a window.
    const dry = state.audit.find((e) => e.type === 'rollback.dry_run' && e.data?.rule === ev.rule && Date.now() - Date.parse(e.at) < ev.windowSeconds * 1000);
    const v = dry && ev.verdict !== 'breach'
      ? { cls: 'warn', icon: '⚑', word: 'Would have rolled back (dry run)', next: `At ${clock(dry.at)}: the evidence was enough; in a dry run nothing flips.` }
      : verdictOf(ev, s.dry_run, s.flag.enabled);
    const verdictAttr = dry && ev.verdict !== 'breach' ? 'would-fire' : ev.verdict;
    const d = ev.detector;
    const evidence = ev.decided_by === 'detector' && d
      ? [
          ['Evidence', `${Math.min(999, Math.round(d.ratio * 100))}% of what a rollback needs`],
          // During a split the test reads Olympus's share of all failures, not failure rates: say so.
          ...(d.leading.family === 'cohort' && d.cohort
            ? [
                ['Leading test', `Olympus's share of failures ${pct(d.leading.p1)} vs ${pct(d.p0)} expected`],
                ['Split', `Olympus ${pct(d.cohort.share)} of traffic; legacy failing ${pct(d.cohort.legacy_rate)}; tolerance ${pct(d.cohort.tolerance)}`],
              ]
            : [['Leading test', `${d.leading.family === 'overdue' ? 'logins not back' : 'bad outcomes'} at ${pct(d.leading.p1)} vs ${pct(d.leading.family === 'overdue' ? d.overdue_null : d.p0)} healthy`]]),
          ...(d.horizon_seconds !== null ? [['Not back after', `${Math.round(d.horizon_seconds)} s counts as stuck`]] : []),
          ['Error budget', `${d.false_rollbacks_per_30d} false rollback${d.false_rollbacks_per_30d === 1 ? '' : 's'} per 30 days`],
        ]
      : [['Breaches in a row', `${ev.streak ?? 0} (fires at ${ev.consecutive ?? 1})`]];
    const op = cfg?.op ?? (isRate(ev.metric) && ev.metric.includes('success') ? '<' : '>');
    const rows = [
      ['Measured', fmtValue(ev.metric, ev.value)],
      [ev.mode === 'cohort' ? 'Bound of Olympus − legacy' : 'Confidence bound', ev.mode === 'cohort' ? pct(ev.bound) : fmtValue(ev.metric, ev.bound)],
      ['Fires when bound', `${op} ${ev.mode === 'cohort' ? `−${pct(cfg?.tolerance ?? 0)}` : fmtValue(ev.metric, ev.threshold)}`],
      ...(isRate(ev.metric)
        ? [
            ['Samples', cfg?.minSamples ? `${ev.samples} (needs ${cfg.minSamples})` : String(ev.samples)],
            ['Distinct clients', cfg?.minClients ? `${ev.clients} (needs ${cfg.minClients})` : String(ev.clients)],
          ]
        : [['Tickets in window', String(ev.samples)]]),
      ...evidence,
      ['Window', `${Math.round(ev.windowSeconds / 60)} min`],
    ];
    return h(
      'article',
      { class: `card ${v.cls}`, 'data-rule': ev.rule, 'data-verdict': verdictAttr, 'aria-labelledby': `rule-${ev.rule}` },
      h('h3', { id: `rule-${ev.rule}` }, ev.rule),
      h('p', { class: 'verdict' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, v.icon), ' ', h('strong', {}, v.word)),
      h('p', { class: 'next' }, v.next),
      h('dl', {}, rows.map(([k, val]) => [h('dt', {}, k), h('dd', {}, val)])),
    );
  });
  if (s.manual_decision_by?.length) {
    cards.push(h('article', { class: 'card manual' }, h('h3', {}, 'Manual decision'), h('p', {}, `Roll back at any time: ${s.manual_decision_by.join(' or ')}.`)));
  }
  box.replaceChildren(...cards);
}

// ---- funnel (until the charts land: the last 5 minutes as numbers) ------------

function renderFunnel() {
  const s = state.status;
  if (!s) return;
  const logins = s.last_5_minutes.logins;
  const api5 = s.last_5_minutes.api;
  const providers = ['olympus', 'auth0'];
  const cell = (o, k) => String(o?.[k] ?? 0);
  const table = h(
    'table',
    { class: 'funnel', id: 'funnel' },
    h('caption', {}, 'Last 5 minutes'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Provider'), ['started', 'succeeded', 'failed', 'abandoned'].map((k) => h('th', { scope: 'col' }, k)), h('th', { scope: 'col' }, 'API requests'), h('th', { scope: 'col' }, 'API errors'))),
    h(
      'tbody',
      {},
      providers.map((p) =>
        h('tr', {}, h('th', { scope: 'row' }, PROVIDER_NAMES[p]), ['started', 'succeeded', 'failed', 'abandoned'].map((k) => h('td', {}, cell(logins[p], k))), h('td', {}, String((api5[p]?.ok ?? 0) + (api5[p]?.error ?? 0))), h('td', {}, cell(api5[p], 'error'))),
      ),
    ),
  );
  const reasons = Object.entries(s.last_5_minutes.failure_reasons ?? {});
  const list = reasons.length ? h('ul', { class: 'reasons' }, reasons.map(([k, n]) => h('li', {}, `${k}: ${n}`))) : h('p', { class: 'muted' }, 'No failed sign-ins in the last 5 minutes.');
  $('funnel-box').replaceChildren(table, h('h3', {}, 'Failure reasons, last 5 minutes'), list);
}

// ---- charts (console-charts.client.js draws them with uPlot) -----------------------

function renderRange() {
  $('range').replaceChildren(
    ...RANGES.map(([id, label]) =>
      h('button', { type: 'button', 'aria-pressed': String(state.range === id), 'data-range': id, onclick: () => {
        state.range = id;
        renderRange();
        loadHistory();
      } }, label),
    ),
  );
}

function renderCharts() {
  if (!state.history || !window.SwitchbackCharts) return;
  window.SwitchbackCharts.render($('charts'), state.history, state.rules, state.status?.flag);
}

async function loadHistory() {
  try {
    state.history = await api(`/history?range=${state.range}`);
    renderCharts();
  } catch {
    // The header already says when the gateway cannot be reached.
  }
}

// ---- people left behind -------------------------------------------------------

function renderPeople() {
  const s = state.status;
  if (!s) return;
  const su = s.signups;
  const job = s.reconcile_job;
  const items = [
    h('p', { id: 'stranded', class: su.stranded_if_rolled_back_now > 0 ? 'warn-text' : '' }, h('strong', {}, String(su.stranded_if_rolled_back_now)), su.stranded_if_rolled_back_now === 1 ? ' person would be stranded' : ' people would be stranded', ' if you rolled back now (signed up in Olympus, not yet at the legacy provider).'),
    h('p', {}, `Signups captured since the migration started: ${su.since_migration_start}.`),
  ];
  if (job) {
    const progress = job.total !== undefined ? `${job.done ?? 0} of ${job.total} people` : '';
    const totals = Object.entries(job.totals ?? {});
    items.push(
      h('h3', {}, `Reconcile after the rollback: ${job.status ?? 'unknown'}${progress ? `, ${progress}` : ''}`),
      job.error ? h('p', { class: 'problem' }, job.error) : null,
      totals.length
        ? h('table', { class: 'funnel', id: 'reconcile' }, h('caption', {}, 'Outcome per person, by category'), h('tbody', {}, totals.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k.replaceAll('_', ' ')), h('td', {}, String(v))))))
        : h('p', { class: 'muted', id: 'reconcile' }, 'No outcome yet.'),
    );
  }
  $('people').replaceChildren(...items);
}

// ---- timeline -------------------------------------------------------------------

function category(entry) {
  if (entry.type === 'rollback' || entry.type === 'flag.changed') return 'flag';
  if (entry.type.startsWith('notification')) return 'notify';
  if (entry.type.startsWith('reconcile') || entry.type.startsWith('signup.')) return 'reconcile';
  if (entry.type.startsWith('rollback.') || entry.type.startsWith('rule')) return 'rule';
  if (entry.type.startsWith('automatic_rollback')) return 'flag';
  return 'operator';
}

function describe(entry) {
  const d = entry.data ?? {};
  switch (entry.type) {
    case 'rollback':
      return `Rolled back to the legacy provider${d.rule ? ` by rule ${d.rule}` : ''}${d.reason ? `: ${d.reason}` : ''}`;
    case 'flag.changed':
      return `Flag changed: Olympus ${d.to?.enabled ? `on${d.to?.percent !== undefined ? ` for ${d.to.percent}%` : ''}` : 'off'}${d.to?.reason ? ` (${d.to.reason})` : ''}`;
    case 'rollback.dry_run':
      return `Dry run: rule ${d.rule} would have rolled back`;
    case 'rule.verdict': {
      const words = { breach: 'breaching', inconclusive: 'not enough data', ok: 'healthy' };
      const measured = d.value === null || d.value === undefined ? '' : ` (measured ${d.threshold < 1 ? pct(d.value) : perHour(d.value)}, ${d.samples} samples from ${d.clients} clients${d.decided_by === 'detector' && d.evidence !== null && d.evidence !== undefined ? `, ${Math.round(d.evidence * 100)}% of the evidence needed` : ''})`;
      return `Rule ${d.rule}: ${words[d.from] ?? d.from} → ${words[d.to] ?? d.to}${measured}${d.to === 'inconclusive' && d.note ? `: ${d.note}` : ''}`;
    }
    case 'automatic_rollback.paused':
      return `Automatic rollback paused until ${clock(d.until)}: ${d.reason}`;
    case 'automatic_rollback.resumed':
      return `Automatic rollback resumed: ${d.reason}`;
    case 'rules.changed':
      return `Rules changed${d.dry_run ? ' (dry run)' : ''}`;
    case 'rollback.decision':
    case 'rollback.reopened':
      return `Rollback ${entry.type === 'rollback.reopened' ? 'reopened' : 'decided'} ${d.kind}: ${d.why}`;
    case 'reenable.overridden':
      return `Re-enable gate overridden (${(d.overridden ?? []).map((c) => GATE_WORDS[c] ?? c).join(', ')}): ${d.reason}`;
    case 'postmortem.linked':
      return `Postmortem linked: ${d.url}`;
    case 'signup.legacy_owned': {
      const n = (d.ids ?? []).length;
      return `${n} Olympus signup${n === 1 ? '' : 's'} with an address a legacy account already held (the account came first): that address follows the cohort again, not Olympus (mirror ${d.mirror_id})`;
    }
    default:
      if (entry.type === 'notification.delivered') return `Notification ${d.type} delivered (${d.channel}${d.attempts > 1 ? `, attempt ${d.attempts}` : ''})`;
      if (entry.type === 'notification.failed') return `Notification ${d.type} NOT delivered (${d.channel}): ${d.error}`;
      if (entry.type.startsWith('notification.')) return `Notification ${entry.type.slice(13)}${d.text ? `: ${d.text}` : ''}`;
      return entry.type.replaceAll('.', ': ').replaceAll('_', ' ');
  }
}

function renderTimeline() {
  const list = $('timeline');
  const shown = state.audit.filter((e) => !state.filter || category(e) === state.filter);
  list.replaceChildren(
    ...shown.map((e) =>
      h('li', { class: `ev ${category(e)}`, 'data-type': e.type }, h('time', { datetime: e.at }, clock(e.at)), ' ', h('span', { class: 'what' }, describe(e)), ' ', h('span', { class: 'actor' }, `— ${e.actor}`)),
    ),
  );
  if (!shown.length) list.append(h('li', { class: 'muted' }, 'Nothing yet.'));
}

// ---- actions ----------------------------------------------------------------------

/** Opens the confirmation dialog; `run(reason, fields)` does the call and may throw an ApiError shown in the dialog. */
function confirmAction({ title, text, go, fields = [], run }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-go').textContent = go;
  $('confirm-fields').replaceChildren(...fields.map((f) => h('p', {}, h('label', { for: f.id }, f.label), ' ', f.input)));
  $('confirm-reason').value = '';
  const problem = $('confirm-problem');
  problem.hidden = true;
  const form = $('confirm-form');
  form.onsubmit = async (event) => {
    event.preventDefault();
    const reason = $('confirm-reason').value.trim();
    if (!reason) {
      problem.textContent = 'A reason is required: it goes to the audit log and the notification channel.';
      problem.hidden = false;
      return;
    }
    $('confirm-go').disabled = true;
    try {
      await run(reason);
      dialog.close();
      await refresh(true);
    } catch (err) {
      problem.textContent = err instanceof ApiError ? err.message : 'The gateway could not be reached; nothing was changed.';
      problem.hidden = false;
    } finally {
      $('confirm-go').disabled = false;
    }
  };
  $('confirm-cancel').onclick = () => dialog.close();
  dialog.showModal();
  $('confirm-reason').focus();
}

function percentInput(value) {
  return h('input', { id: 'confirm-percent', type: 'number', min: 0, max: 100, step: 1, value: value ?? 100, required: true, inputmode: 'numeric' });
}

function renderActions() {
  const s = state.status;
  const section = $('actions');
  if (!s || role === 'viewer') {
    section.hidden = true;
    return;
  }
  const flag = s.flag;
  const buttons = [];
  if (flag.enabled && can('oncall')) {
    buttons.push(
      h('button', { type: 'button', class: 'danger', id: 'action-rollback', onclick: () =>
        confirmAction({
          title: 'Roll back to the legacy provider now',
          text: 'Every new sign-in goes to the legacy provider at once; Olympus sessions and tokens keep working for the overlap. This is audited with your name and announced to the notification channel.',
          go: 'Roll back now',
          run: (reason) => api('/rollback', { method: 'POST', body: JSON.stringify({ reason }) }),
        }) }, '↺ Roll back now'),
    );
  }
  if (can('eng-lead')) {
    if (flag.enabled) {
      buttons.push(
        h('button', { type: 'button', id: 'action-percent', onclick: () => {
          const input = percentInput(flag.percent ?? 100);
          confirmAction({
            title: 'Change the share of browsers sent to Olympus',
            text: 'A sticky share: a browser stays in its cohort. 100 sends everyone.',
            go: 'Change the split',
            fields: [{ id: 'confirm-percent', label: 'Percent of browsers', input }],
            run: (reason) => api('/flags/olympus_auth', { method: 'POST', body: JSON.stringify({ enabled: true, percent: Number(input.value), reason }) }),
          });
        } }, 'Change split'),
      );
    } else {
      buttons.push(
        h('button', { type: 'button', id: 'action-enable', onclick: () => {
          const input = percentInput(flag.percent ?? 100);
          const missing = s.reenable_gate?.missing ?? [];
          // The gate's override: an eng-lead's reason, audited and announced; empty = no override.
          const override = h('input', { id: 'confirm-override', type: 'text', maxlength: 1000, placeholder: 'only to skip what the gate asks' });
          confirmAction({
            title: 'Re-enable Olympus',
            text: `The plan says: don't rush the retry. Re-enable once the cause is fixed, tested in staging and the rollback rehearsed again.${missing.length ? ` Still missing: ${missing.map((m) => m.message).join('; ')}.` : ''}`,
            go: 'Re-enable Olympus',
            fields: [{ id: 'confirm-percent', label: 'Percent of browsers', input }, ...(missing.length ? [{ id: 'confirm-override', label: 'Override the gate, because', input: override }] : [])],
            run: (reason) => api('/flags/olympus_auth', { method: 'POST', body: JSON.stringify({ enabled: true, percent: Number(input.value), reason, ...(override.value.trim() ? { override_reason: override.value.trim() } : {}) }) }),
          });
        } }, 'Re-enable Olympus'),
      );
    }
  }
  const pause = s.automatic_rollback_paused;
  if (pause && can('oncall')) {
    buttons.push(
      h('button', { type: 'button', id: 'action-resume', onclick: () =>
        confirmAction({
          title: 'Resume automatic rollback',
          text: `Paused by ${pause.by}: ${pause.reason}. The rules act again at their next evaluation.`,
          go: 'Resume',
          run: (reason) => api('/automatic-rollback/resume', { method: 'POST', body: JSON.stringify({ reason }) }),
        }) }, '▶ Resume automatic rollback'),
    );
  } else if (!pause && flag.enabled && !s.dry_run && can('eng-lead')) {
    buttons.push(
      h('button', { type: 'button', id: 'action-pause', onclick: () => {
        const input = h('input', { id: 'confirm-minutes', type: 'number', min: 1, max: 1440, step: 1, value: 30, required: true, inputmode: 'numeric' });
        confirmAction({
          title: 'Pause automatic rollback',
          text: 'The rules keep measuring and notifying, as a dry run, and never flip until the pause ends (at most 24 hours). A manual rollback still works.',
          go: 'Pause',
          fields: [{ id: 'confirm-minutes', label: 'For how many minutes', input }],
          run: (reason) => api('/automatic-rollback/pause', { method: 'POST', body: JSON.stringify({ minutes: Number(input.value), reason }) }),
        });
      } }, '‖ Pause automatic rollback'),
    );
  }
  section.hidden = buttons.length === 0;
  $('action-buttons').replaceChildren(...buttons);
}

// ---- live feed (server-sent events), with polling as the fallback --------------------

let source;
let everOpened = false;
let lastAuditHead = -1;
let lastHistoryAt = 0;
const HISTORY_EVERY_MS = 30_000;

function applySnapshot(status) {
  state.status = status;
  state.lastOkAt = Date.now();
  state.failing = false;
  renderAll();
}

function openLive() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource(`${API}/events`);
  source.addEventListener('open', () => {
    everOpened = true;
  });
  source.addEventListener('status', async (event) => {
    const snap = JSON.parse(event.data);
    const fetches = [];
    if (snap.audit_head !== lastAuditHead) fetches.push(api('/audit?limit=100').then((a) => (state.audit = a.entries, (lastAuditHead = snap.audit_head))));
    if (Date.now() - lastHistoryAt > HISTORY_EVERY_MS) fetches.push(api(`/history?range=${state.range}`).then((hist) => (state.history = hist, (lastHistoryAt = Date.now()))));
    if (!state.rules || state.refreshes++ % 30 === 0) fetches.push(api('/rules').then((r) => (state.rules = r.rules)));
    if (!state.drills || snap.audit_head !== lastAuditHead) fetches.push(api('/drills').then((d) => (state.drills = d.drills)));
    await Promise.allSettled(fetches);
    applySnapshot(snap.status);
  });
  source.addEventListener('error', () => {
    state.failing = true;
    renderState();
    // Never opened (refused, or no server-sent events on the way): poll instead.
    if (!everOpened && source.readyState === EventSource.CLOSED) {
      source = undefined;
      startPolling();
    }
  });
}

function closeLive() {
  source?.close();
  source = undefined;
}

let pollTimer;
function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(() => refresh(), REFRESH_MS);
}

// ---- refresh loop -------------------------------------------------------------------

function renderAll() {
  announceChanges(state.status);
  renderState();
  renderActions();
  renderRules();
  renderFunnel();
  renderPeople();
  renderTimeline();
  renderCharts();
}

let inFlight = false;

async function refresh(force = false) {
  if (inFlight || (!force && document.visibilityState === 'hidden')) return;
  inFlight = true;
  try {
    const withAudit = force || state.refreshes % AUDIT_EVERY === 0;
    const [status, audit, history] = await Promise.all([api('/status'), withAudit ? api('/audit?limit=100') : undefined, withAudit ? api(`/history?range=${state.range}`) : undefined]);
    if (history) state.history = history;
    if (!state.rules || state.refreshes % 12 === 0 || force) state.rules = (await api('/rules')).rules;
    if (!state.drills || withAudit) state.drills = (await api('/drills').catch(() => ({ drills: state.drills ?? [] }))).drills;
    state.status = status;
    if (audit) state.audit = audit.entries;
    state.lastOkAt = Date.now();
    state.failing = false;
    state.refreshes++;
    renderAll();
  } catch (err) {
    state.failing = true;
    renderState();
  } finally {
    inFlight = false;
  }
}

$('timeline-filter').addEventListener('change', (e) => {
  state.filter = e.target.value;
  renderTimeline();
});

$('timeline-export').addEventListener('click', () => {
  const blob = new Blob([JSON.stringify(state.audit, null, 2)], { type: 'application/json' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `switchback-timeline-${new Date().toISOString()}.json` });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

$('sign-out').addEventListener('click', async () => {
  await fetch('/_switchback/console/sign-out', { method: 'POST', headers: { 'x-csrf-token': csrf }, credentials: 'same-origin' });
  location.assign('/_switchback/console/sign-in');
});

// Hidden tabs hold no stream and send nothing; coming back reads everything once, then listens again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    refresh(true);
    if (!pollTimer) openLive();
  } else {
    closeLive();
  }
});

renderRange();
if (typeof EventSource === 'undefined') startPolling();
else openLive();
// The countdown and "data as of" tick every second without asking the gateway.
setInterval(() => {
  // A stream that stalls without an error still shows as stale: no data for 10 s is "reconnecting".
  if (state.lastOkAt && Date.now() - state.lastOkAt > 10_000) state.failing = true;
  if (state.status) renderState();
}, 1000);
refresh(true);
