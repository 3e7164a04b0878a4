// switchback console: the charts (uPlot), from GET /_switchback/api/history.
// A classic script loaded before the console module: it defines
// window.SwitchbackCharts.render(container, history, rules, flag).
//
// Each provider keeps one look in every chart: Olympus a solid line, the
// legacy provider a dashed one (never colour alone); rates are read over the
// login rule's window, like the rule reads them, with the rule's confidence
// band (Wilson) and its threshold as a line.
(() => {
  const PROVIDERS = [
    { id: 'olympus', label: 'Olympus', stroke: '#2f6fde', dash: undefined },
    { id: 'auth0', label: 'Legacy', stroke: '#c2410c', dash: [8, 5] },
  ];

  /** z for a two-sided confidence level (Acklam's inverse normal, enough for a band). */
  function zFor(confidence) {
    const p = 1 - (1 - confidence) / 2;
    const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
    const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    if (p > 0.97575) {
      const q = Math.sqrt(-2 * Math.log(1 - p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const q = p - 0.5;
    const r = q * q;
    return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }

  function wilson(good, n, z) {
    if (n <= 0) return [null, null, null];
    const p = good / n;
    const z2 = z * z;
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    return [p, Math.max(0, centre - half), Math.min(1, centre + half)];
  }

  const zeros = (n) => new Array(n).fill(0);
  const get = (h, signal, provider, outcome) => h.series?.[signal]?.[provider]?.[outcome] ?? zeros(h.t.length);

  /** Trailing sums over `w` steps: what a window of the rule's length holds at each step. */
  function trailing(xs, w) {
    const out = new Array(xs.length);
    let acc = 0;
    for (let i = 0; i < xs.length; i++) {
      acc += xs[i];
      if (i >= w) acc -= xs[i - w];
      out[i] = acc;
    }
    return out;
  }

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
  }

  const hhmm = (sec) => new Date(sec * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  function axes(yFormat) {
    const stroke = css('--muted');
    const grid = { stroke: css('--line'), width: 1 };
    return [
      { stroke, grid, ticks: grid, values: (u, vals) => vals.map(hhmm) },
      { stroke, grid, ticks: grid, values: (u, vals) => vals.map(yFormat), size: 60 },
    ];
  }

  const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
  const num = (v) => (v === null || v === undefined ? '—' : String(Math.round(v * 10) / 10));

  function chart(box, id, title, description, opts, data) {
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.id = id;
    const caption = document.createElement('figcaption');
    const strong = document.createElement('strong');
    strong.textContent = title;
    const small = document.createElement('span');
    small.className = 'muted';
    small.textContent = ` ${description}`;
    caption.append(strong, small);
    figure.append(caption);
    const plotBox = document.createElement('div');
    plotBox.setAttribute('role', 'img');
    plotBox.setAttribute('aria-label', `${title}. ${description}`);
    figure.append(plotBox);
    box.append(figure);
    // The figure's own width (a grid cell), less its padding: the plot never overflows its card.
    const width = Math.max(260, Math.min((figure.clientWidth || 600) - 16, 1100));
    // eslint-disable-next-line no-undef
    const plot = new uPlot({ width, height: 200, ...opts }, data, plotBox);
    // Band edges are drawn as a fill, not read as lines: keep them out of the legend.
    const rows = plot.root.querySelectorAll('.u-legend .u-series');
    (opts.series ?? []).forEach((sr, i) => {
      if (sr.hideInLegend && rows[i]) rows[i].style.display = 'none';
    });
    return plot;
  }

  const total = (xs) => xs.reduce((a, b) => a + b, 0);

  /** The legacy provider's own sign-ins (its log stream, `provider_login`) when it reports them, else those seen at the gateway. */
  function legacySignIns(h) {
    const own = { ok: get(h, 'provider_login', 'auth0', 'succeeded'), bad: get(h, 'provider_login', 'auth0', 'failed'), source: "the legacy provider's own log" };
    if (total(own.ok) + total(own.bad) > 0) return own;
    return { ok: get(h, 'login', 'auth0', 'succeeded'), bad: get(h, 'login', 'auth0', 'failed'), source: 'sign-ins through the gateway' };
  }

  function passwordChart(box, h, w, windowWords) {
    const t = h.t;
    const out = (o) => get(h, 'password_migration_outcome', 'olympus', o);
    const match = out('match');
    const mismatch = out('mismatch');
    const upstream = out('upstream_error');
    const calls = total(match) + total(mismatch) + total(upstream) + total(out('rate_limited'));
    if (calls === 0) return; // no hook configured, or nobody migrating in this range: no chart
    const legacy = legacySignIns(h);
    const share = (part, rest) => {
      const a = trailing(part, w);
      const b = rest.map((xs) => trailing(xs, w));
      return a.map((v, i) => {
        const n = v + b.reduce((acc, xs) => acc + xs[i], 0);
        return n > 0 ? v / n : null;
      });
    };
    const wrong = share(mismatch, [match]);
    const legacyFailed = share(legacy.bad, [legacy.ok]);
    const errors = share(upstream, [match, mismatch]);
    const ratio = (a, b) => (a + b > 0 ? pct(a / (a + b)) : '—');
    // The figures of the last window (what is happening now) and of the whole range (what is usual).
    const last = (xs) => total(xs.slice(-w));
    const figures = [
      `Last ${Math.round((w * h.step_seconds) / 60)} min: wrong passwords ${ratio(last(mismatch), last(match))} of ${last(match) + last(mismatch)} hook verdicts; legacy failed sign-ins ${ratio(last(legacy.bad), last(legacy.ok))} of ${last(legacy.ok) + last(legacy.bad)}; upstream errors ${ratio(last(upstream), last(match) + last(mismatch))}.`,
      `This range: ${ratio(total(mismatch), total(match))} of ${total(match) + total(mismatch)}; legacy ${ratio(total(legacy.bad), total(legacy.ok))} of ${total(legacy.ok) + total(legacy.bad)} (${legacy.source}); upstream errors ${ratio(total(upstream), total(match) + total(mismatch))}.`,
    ].join(' ');
    const fig = chart(box, 'chart-password-migration', 'Password migration against the legacy provider', `${windowWords}. Wrong passwords and legacy failures rising together: people mistyping. Wrong passwords rising alone while the legacy rate holds: the hook is checking wrongly (realm, client, user store).`, {
      series: [
        { value: (u, v) => (v ? hhmm(v) : '—') },
        { label: 'Hook: wrong passwords', stroke: PROVIDERS[0].stroke, width: 2, value: (u, v) => pct(v) },
        { label: 'Legacy: failed sign-ins', stroke: PROVIDERS[1].stroke, dash: PROVIDERS[1].dash, width: 2, value: (u, v) => pct(v) },
        // Grey, dotted: not to be read as a third provider next to the legacy provider's orange.
        { label: 'Hook: upstream errors', stroke: '#6b7280', dash: [2, 3], width: 1.5, value: (u, v) => pct(v) },
      ],
      axes: axes(pct),
      scales: { y: { range: (u, min, max) => [0, Math.min(1, Math.max(0.1, (max ?? 0) * 1.1))] } },
    }, [t, wrong, legacyFailed, errors]);
    const p = document.createElement('p');
    p.className = 'muted figures';
    p.id = 'password-migration-figures';
    p.textContent = figures;
    fig.root.closest('figure').append(p);
  }

  function render(box, h, rules, flag) {
    box.replaceChildren();
    if (typeof uPlot === 'undefined') {
      const p = document.createElement('p');
      p.className = 'problem';
      p.textContent = 'The charts could not be drawn in this browser (uPlot did not load); the numbers below are still live.';
      box.append(p);
      return;
    }
    const t = h.t;
    const loginRule = rules?.rules?.find((r) => r.metric === 'login_success_rate');
    const apiRule = rules?.rules?.find((r) => r.metric === 'api_error_rate');
    const w = Math.max(1, Math.round((loginRule?.windowSeconds ?? 300) / h.step_seconds));
    const z = zFor(loginRule?.confidence ?? 0.999);
    const windowWords = `over the rule's ${Math.round((loginRule?.windowSeconds ?? 300) / 60)}-minute window`;

    // 1. Login success rate per provider, with the band and the threshold.
    const data = [t];
    const series = [{ value: (u, v) => (v ? hhmm(v) : '—') }];
    const bands = [];
    for (const p of PROVIDERS) {
      const good = trailing(get(h, 'login', p.id, 'succeeded'), w);
      const bad = trailing(get(h, 'login', p.id, 'failed'), w).map((v, i) => v + trailing(get(h, 'login', p.id, 'abandoned'), w)[i]);
      const rows = good.map((g, i) => wilson(g, g + bad[i], z));
      const base = data.length;
      data.push(rows.map((r) => r[0]), rows.map((r) => r[2]), rows.map((r) => r[1]));
      series.push(
        { label: `${p.label}`, stroke: p.stroke, width: 2, dash: p.dash, value: (u, v) => pct(v), spanGaps: false },
        { label: `${p.label} bound`, hideInLegend: true, stroke: 'transparent', value: (u, v) => pct(v), points: { show: false } },
        { label: `${p.label} bound`, hideInLegend: true, stroke: 'transparent', value: (u, v) => pct(v), points: { show: false } },
      );
      bands.push({ series: [base + 1, base + 2], fill: `${p.stroke}22` });
    }
    if (loginRule) {
      data.push(t.map(() => loginRule.threshold));
      series.push({ label: 'Threshold', stroke: css('--bad'), width: 1.5, dash: [2, 3], value: (u, v) => pct(v), points: { show: false } });
    }
    chart(box, 'chart-login-rate', 'Login success rate', `${windowWords}, with its ${Math.round((loginRule?.confidence ?? 0.999) * 1000) / 10}% interval; the red dotted line is the threshold.`, { series, bands, axes: axes(pct), scales: { y: { range: [0, 1] } } }, data);

    // 2. During a split: Olympus minus the legacy cohort.
    if (flag?.enabled && flag.percent !== undefined && flag.percent > 0 && flag.percent < 100) {
      // Each cohort's Wilson interval, combined as Newcombe's hybrid score interval of the difference (what the rule reads).
      const cohort = (pid) => {
        const good = trailing(get(h, 'login', pid, 'succeeded'), w);
        const bad = trailing(get(h, 'login', pid, 'failed'), w).map((v, i) => v + trailing(get(h, 'login', pid, 'abandoned'), w)[i]);
        return good.map((g, i) => wilson(g, g + bad[i], z));
      };
      const o = cohort('olympus');
      const a = cohort('auth0');
      const diff = [];
      const lo = [];
      const hi = [];
      o.forEach(([p1, l1, u1], i) => {
        const [p2, l2, u2] = a[i];
        if (p1 === null || p2 === null) return diff.push(null), lo.push(null), hi.push(null);
        diff.push(p1 - p2);
        lo.push(p1 - p2 - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2));
        hi.push(p1 - p2 + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2));
      });
      const tol = loginRule ? -loginRule.tolerance : null;
      chart(box, 'chart-cohort-diff', 'Olympus minus legacy cohort', `login success rate difference ${windowWords}, with its interval; when the whole interval is below the dotted line the split rolls back.`, {
        series: [
          { value: (u, v) => (v ? hhmm(v) : '—') },
          { label: 'Olympus − legacy', stroke: PROVIDERS[0].stroke, width: 2, value: (u, v) => pct(v) },
          { label: 'upper', hideInLegend: true, stroke: 'transparent', points: { show: false } },
          { label: 'lower', hideInLegend: true, stroke: 'transparent', points: { show: false } },
          { label: 'Tolerance', stroke: css('--bad'), dash: [2, 3], value: (u, v) => pct(v), points: { show: false } },
        ],
        bands: [{ series: [2, 3], fill: `${PROVIDERS[0].stroke}22` }],
        axes: axes(pct),
      }, [t, diff, hi, lo, t.map(() => tol)]);
    }

    // 3. The login funnel (both providers).
    const sum = (outcome) => PROVIDERS.map((p) => get(h, 'login', p.id, outcome)).reduce((acc, xs) => acc.map((v, i) => v + xs[i]));
    const funnel = [
      ['started', '#6b7280', undefined],
      ['succeeded', '#15803d', undefined],
      ['failed', '#b91c1c', [6, 3]],
      ['abandoned', '#a16207', [2, 3]],
    ];
    chart(box, 'chart-funnel', 'Login funnel', `sign-ins per ${h.step_seconds / 60} min, both providers.`, {
      series: [{ value: (u, v) => (v ? hhmm(v) : '—') }, ...funnel.map(([k, stroke, dash]) => ({ label: k, stroke, dash, width: 2, value: (u, v) => num(v) }))],
      axes: axes(num),
    }, [t, ...funnel.map(([k]) => sum(k))]);

    // 4. API error rate per provider.
    const apiData = [t];
    const apiSeries = [{ value: (u, v) => (v ? hhmm(v) : '—') }];
    for (const p of PROVIDERS) {
      const err = get(h, 'api', p.id, 'error');
      const ok = get(h, 'api', p.id, 'ok');
      apiData.push(err.map((e, i) => (e + ok[i] > 0 ? e / (e + ok[i]) : null)));
      apiSeries.push({ label: `${p.label} API errors`, stroke: p.stroke, dash: p.dash, width: 2, value: (u, v) => pct(v) });
    }
    if (apiRule) {
      apiData.push(t.map(() => apiRule.threshold));
      apiSeries.push({ label: 'Threshold', stroke: css('--bad'), width: 1.5, dash: [2, 3], value: (u, v) => pct(v), points: { show: false } });
    }
    chart(box, 'chart-api', 'API error rate', `per ${h.step_seconds / 60} min, by the provider of the caller's credential.`, { series: apiSeries, axes: axes(pct), scales: { y: { range: (u, min, max) => [0, Math.max(0.1, max ?? 0)] } } }, apiData);

    // 4b. The password migration hook's wrong passwords against the legacy provider's own sign-in
    // failures, the same minutes: both rising together is people mistyping; wrong passwords rising
    // alone while the legacy provider's rate holds is the hook checking wrongly.
    passwordChart(box, h, w, windowWords);

    // 5. Support tickets per hour.
    const tickets = Object.values(h.series?.ticket ?? {}).flatMap((byOutcome) => Object.values(byOutcome)).reduce((acc, xs) => acc.map((v, i) => v + xs[i]), zeros(t.length));
    chart(box, 'chart-tickets', 'Support tickets per hour', `each ${h.step_seconds / 60}-minute step's count, per hour.`, {
      series: [{}, { label: 'tickets/h', stroke: '#7c3aed', width: 2, value: (u, v) => num(v) }],
      axes: axes(num),
    }, [t, tickets.map((n) => (n * 3600) / h.step_seconds)]);

    // 6. Failure reasons over the range, as a list (counts, largest first).
    const reasons = [];
    for (const [provider, byReason] of Object.entries(h.series?.login_failure_reason ?? {})) {
      for (const [reason, xs] of Object.entries(byReason)) reasons.push([`${provider === 'auth0' ? 'legacy' : provider}: ${reason}`, xs.reduce((a, b) => a + b, 0)]);
    }
    reasons.sort((a, b) => b[1] - a[1]);
    const fig = document.createElement('figure');
    fig.className = 'chart reasons';
    fig.id = 'failure-reasons';
    const cap = document.createElement('figcaption');
    const strong = document.createElement('strong');
    strong.textContent = 'Failure reasons';
    cap.append(strong);
    fig.append(cap);
    const list = document.createElement('ul');
    for (const [k, n] of reasons.filter((r) => r[1] > 0)) {
      const li = document.createElement('li');
      li.textContent = `${k}: ${n}`;
      list.append(li);
    }
    if (!list.children.length) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'No failed sign-ins in this range.';
      list.append(li);
    }
    fig.append(list);
    box.append(fig);
  }

  window.SwitchbackCharts = { render, wilson, zFor, trailing };
})();
