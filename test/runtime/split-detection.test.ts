/**
 * The split comparison in the controller, with the default rules (the plan's
 * text, no fast test rules): during a percentage split a rate rule is decided
 * on every batch by the sequential comparison of the Olympus cohort with the
 * legacy one (src/rollback/split-comparison.ts). Scripted event streams into
 * the real Durable Object: an Olympus-only outage decides within seconds of
 * wall clock (the window path needed 3 evaluations 10 s apart), equal cohorts
 * and an app-wide outage never, a few clients cannot force it, a cohort
 * short of min_samples is "not yet", and a rollback resets it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { installNetwork } from './support/fake-network.ts';
import { putFlag, resetState } from './support/gateway.ts';
import { auditTypes, ingest, setRules, status, stub } from './support/controller.ts';
import { DEFAULT_RULES_YAML } from '../../src/rollback/rules.ts';
import type { OutcomeEvent } from '../../src/rollback/outcome-events.ts';

const RULE = 'login_success_rate < 95%';
type Provider = 'olympus' | 'auth0';
type Login = { provider: Provider; client: string; outcome: 'succeeded' | 'failed' };
let seq = 0;

async function split(percent: number) {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true, percent });
  await setRules(DEFAULT_RULES_YAML);
}

/** One login per entry, started 2 s ago and back now. */
function stream(entries: Login[]): OutcomeEvent[] {
  const now = Date.now();
  return entries.flatMap(({ provider, client, outcome }) => {
    const id = `split-${++seq}`;
    return [
      { k: 'login_started', id, provider, client, at: now - 2000 },
      { k: 'login_outcome', id, provider, client, outcome, reason: outcome === 'failed' ? 'provider_access_denied' : undefined, at: now },
    ] satisfies OutcomeEvent[];
  });
}

/** `n` logins of one cohort from distinct clients, every `1 / failShare`-th failed (deterministic). */
function cohort(provider: Provider, n: number, prefix: string, failShare = 0): Login[] {
  const every = failShare > 0 ? Math.round(1 / failShare) : Infinity;
  return Array.from({ length: n }, (_, i) => ({ provider, client: `${prefix}${i}`, outcome: (i + 1) % every === 0 ? 'failed' : 'succeeded' }));
}

/** A deterministic generator, so a failing run can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Logins assigned to Olympus with probability `share`, failing with each cohort's probability. */
function mixed(n: number, prefix: string, share: number, fail: Record<Provider, number>, r: () => number): Login[] {
  return Array.from({ length: n }, (_, i) => {
    const provider: Provider = r() < share ? 'olympus' : 'auth0';
    return { provider, client: `${prefix}${i}`, outcome: r() < fail[provider] ? 'failed' : 'succeeded' };
  });
}

async function rule() {
  return (await status()).rules.find((r: { rule: string }) => r.rule === RULE);
}

/**
 * One healthy window at 97% in both cohorts, Olympus' failures first: the first evaluation notes it
 * (the comparison's share, legacy rate, h and attack floor) and the legacy failures bring the charts back to 0.
 */
async function healthyWindow(olympus: number, legacy: number) {
  await ingest(stream([...cohort('olympus', olympus, 'o-user', 0.03), ...cohort('auth0', legacy, 'l-user', 0.03)]));
}

describe('an Olympus-only outage during a split', () => {
  beforeEach(() => split(10));

  it('rolls back on the batch that completes the evidence, within seconds, through the comparison; a rollback resets it', async () => {
    await healthyWindow(100, 900); // 1,000 logins per 5 min, 10% on Olympus
    const before = await rule();
    expect(before.decided_by).toBe('detector');
    expect(before.detector.leading.family).toBe('cohort');
    expect(before.detector.cohort.share).toBeCloseTo(0.1, 10);
    expect(before.detector.cohort.legacy_rate).toBeCloseTo(27 / 900, 10);
    expect(before.detector.ratio).toBe(0);

    const started = Date.now();
    let failing = 0;
    while ((await status()).flag.enabled && failing < 40) {
      await ingest(stream([{ provider: 'olympus', client: `failing${failing}`, outcome: 'failed' }]));
      failing++;
      // Fewer Olympus failures than the budget needs cannot decide (9 in a row at these figures).
      if (failing === 5) expect((await rule()).detector.ratio).toBeLessThan(1);
    }
    expect((await status()).flag.enabled).toBe(false);
    expect(failing).toBeGreaterThan(5);
    expect(failing).toBeLessThanOrEqual(12);
    // The window path needed `consecutive` (3) breaching evaluations 10 s apart.
    expect(Date.now() - started).toBeLessThan(10_000);
    const audit = (await stub().audit(10)) as unknown as { type: string; data: Record<string, any> }[];
    const rollback = audit.find((e) => e.type === 'rollback')!;
    expect(rollback.data).toMatchObject({ rule: RULE, mode: 'cohort', evidence: { detector: 'cohort' } });
    expect(rollback.data.evidence.ratio).toBeGreaterThanOrEqual(1);

    // The reset on rollback: the split starts again on new evidence.
    await putFlag({ enabled: true, percent: 10, version: 3 });
    const after = await rule();
    expect(after.detector.leading.family).toBe('cohort');
    expect(after.detector.ratio).toBe(0);
  });

  it('too few samples in a cohort is "not yet": the charts keep their evidence and decide once the samples are there', async () => {
    await healthyWindow(40, 900); // 40 Olympus samples < min_samples 50
    for (let i = 0; i < 7; i++) await ingest(stream([{ provider: 'olympus', client: `failing${i}`, outcome: 'failed' }]));
    const r = await rule();
    expect((await status()).flag.enabled).toBe(true);
    expect(r.verdict).toBe('inconclusive');
    expect(r.note).toBe('47 samples < min_samples 50');
    expect(r.detector.ratio).toBeGreaterThanOrEqual(1);
    // Successes carry no evidence for the comparison: they only complete the minimums.
    await ingest(stream(cohort('olympus', 10, 'o-late')));
    expect((await status()).flag.enabled).toBe(false);
    expect((await auditTypes()).filter((t) => t === 'rollback')).toHaveLength(1);
  });
});

describe('what the comparison does not roll back', () => {
  beforeEach(() => split(50));

  it('equal cohorts at 97%: 6,000 logins, no rollback, the evidence stays low', async () => {
    await healthyWindow(100, 100);
    const r = rng(97);
    let highest = 0;
    for (let b = 0; b < 12; b++) {
      await ingest(stream(mixed(500, `eq${b}-`, 0.5, { olympus: 0.03, auth0: 0.03 }, r)));
      highest = Math.max(highest, (await rule()).detector.ratio);
    }
    expect((await status()).flag.enabled).toBe(true);
    expect(highest).toBeLessThan(0.5);
  });

  it('an app-wide outage (every login of both cohorts failing) does not roll back; the same Olympus failures alone do', async () => {
    await healthyWindow(100, 100);
    const r = rng(5);
    let olympusFailures = 0;
    for (let b = 0; b < 10; b++) {
      const batch = mixed(20, `down${b}-`, 0.5, { olympus: 1, auth0: 1 }, r);
      olympusFailures += batch.filter((l) => l.provider === 'olympus').length;
      await ingest(stream(batch));
    }
    const st = await status();
    const ev = st.rules.find((x: { rule: string }) => x.rule === RULE);
    expect(st.flag.enabled).toBe(true);
    expect(olympusFailures).toBeGreaterThan(80);
    expect(ev.detector.ratio).toBeLessThan(0.5);
    // The single-cohort charts alone would have decided long ago: the comparison is what keeps Olympus on.
    expect(ev.value).toBeLessThan(0.7);

    await split(50);
    await healthyWindow(100, 100);
    for (let i = 0; i < olympusFailures && (await status()).flag.enabled; i++) {
      await ingest(stream([{ provider: 'olympus', client: `alone${i}`, outcome: 'failed' }]));
    }
    expect((await status()).flag.enabled).toBe(false);
  });
});

describe('a few clients during a split', () => {
  beforeEach(() => split(50));

  it('five clients failing Olympus logins as fast as they can weigh one failure each: no rollback', async () => {
    await healthyWindow(100, 100);
    for (let round = 0; round < 3; round++) {
      await ingest(stream(Array.from({ length: 250 }, (_, i) => ({ provider: 'olympus' as const, client: `attacker${i % 5}`, outcome: 'failed' as const }))));
    }
    const r = await rule();
    expect((await status()).flag.enabled).toBe(true);
    expect(r.detector.leading.family).toBe('cohort');
    expect(r.detector.attack_floor).toBe(3);
    // Five failures of 0.44 nats at most against h = 12.2: 2.2 / 12.2.
    expect(r.detector.ratio).toBeLessThan(0.25);
  });

  it('failing legacy logins only lower the evidence against Olympus', async () => {
    await healthyWindow(100, 100);
    for (let i = 0; i < 20; i++) await ingest(stream([{ provider: 'olympus', client: `o-fail${i}`, outcome: 'failed' }]));
    const part = (await rule()).detector.ratio;
    expect(part).toBeGreaterThan(0.5);
    await ingest(stream(Array.from({ length: 30 }, (_, i) => ({ provider: 'auth0' as const, client: `l-fail${i}`, outcome: 'failed' as const }))));
    expect((await rule()).detector.ratio).toBeLessThan(part);
    expect((await status()).flag.enabled).toBe(true);
  });
});
