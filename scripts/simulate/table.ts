/**
 * Markdown tables and number formats for the simulation report, so the
 * output can be pasted into the README as is.
 */

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** A probability: percent with one decimal, or scientific below 0.1%. */
export function prob(p: number, trials?: number): string {
  if (p === 0) return trials ? `0 (<${sci(3 / trials)})` : '0';
  if (p >= 0.001) return `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`;
  return sci(p);
}

function sci(x: number): string {
  if (x >= 0.001) return `${(x * 100).toFixed(2)}%`;
  const [m, e] = x.toExponential(1).split('e');
  return `${m}e${e}`;
}

/** Events per day; zero observed shows the 95% upper bound (rule of three). */
export function perDay(events: number, days: number): string {
  if (events === 0) return `0 (<${round(3 / days)})`;
  return round(events / days);
}

function round(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

export function pct(x: number): string {
  return `${+(x * 100).toFixed(2)}%`;
}

/** Seconds as "40 s", "2.5 m"; null as "> horizon". */
export function duration(s: number | null, horizonSeconds: number): string {
  if (s === null) return `> ${duration(horizonSeconds, 0)}`;
  if (s < 120) return `${s} s`;
  return `${+(s / 60).toFixed(1)} m`;
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 sample", "3 samples". */
export function plural(n: number, noun: string): string {
  return `${int(n)} ${noun}${n === 1 ? '' : 's'}`;
}
