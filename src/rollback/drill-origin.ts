/**
 * Where and when a recorded drill ran, from its summary: pure. A drill whose
 * `environment` (the gateway URL it ran against) is not this gateway ran
 * elsewhere (a team rehearsing on staging and sending the summary to prod,
 * `npm run drill -- --record-to`); the re-enable gate counts a drill from
 * when it finished, so a summary from staging must say it (`finished_at`).
 * Summaries whose times cannot be true (finishing before starting, or in the
 * future) are refused.
 */
import type { DrillOrigin } from './drill-ledger.ts';

/** Clocks of two machines may differ a little; more than this is not a drill that finished. */
const SKEW_MS = 5 * 60 * 1000;

export type DrillOriginResult = { ok: true; origin: DrillOrigin } | { ok: false; why: string };

function originOf(text: string): string | undefined {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** `self`: this gateway's origins (the request's, PUBLIC_URL). */
export function drillOrigin(summary: { environment: string; started_at: string; finished_at?: string | undefined }, self: readonly (string | undefined)[], now: number): DrillOriginResult {
  const own = new Set(self.filter((s): s is string => s !== undefined).map(originOf).filter((o): o is string => o !== undefined));
  const ran = originOf(summary.environment);
  const elsewhere = ran === undefined || !own.has(ran);
  const started = Date.parse(summary.started_at);
  const finished = summary.finished_at === undefined ? undefined : Date.parse(summary.finished_at);
  if (finished !== undefined && finished < started) return { ok: false, why: 'finished_at is before started_at' };
  if ((finished ?? started) > now + SKEW_MS) return { ok: false, why: 'the drill cannot have run in the future' };
  // From elsewhere without a finish time, its start is the conservative stand-in (never the time it was sent here).
  const finishedAt = summary.finished_at ?? (elsewhere ? summary.started_at : null);
  return { ok: true, origin: { finishedAt: finishedAt === null ? null : new Date(Date.parse(finishedAt)).toISOString(), environment: summary.environment, elsewhere } };
}
