/**
 * The hot-path report's A/A control (bench/hotpath/hotpath-report.ts): the
 * bare proxy measured against an identical copy of itself says how far apart
 * two identical workers land in one run, and a target verdict whose margin is
 * inside that spread is printed as not resolved instead of a plain MET/MISSED.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTROL_KIND, printSummary, resolutionOf, summarize, upstreamVerdict, type Sample, type SampleTarget } from '../../bench/hotpath/hotpath-report.ts';

function sample(kind: string, target: SampleTarget, round: number, rps: number, p99: number, cpu: number): Sample {
  return { kind, target, round, rps, p50: p99 / 4, p99, p999: p99 * 2, clientLoopMaxMs: 5, requests: rps * 4, errors: 0, cpuUsPerRequest: cpu, upstream: { discovery: 0, jwks: 0, introspection: 0, token: 0 } };
}

const SAMPLES: Sample[] = [
  // bearer-jwt: the gateway at 0.90 / 0.93 / 0.97 of bare, p99 +3 / +0.5 / +12 ms.
  sample('bearer-jwt', 'gateway', 0, 900, 13, 500),
  sample('bearer-jwt', 'bare', 0, 1000, 10, 350),
  sample('bearer-jwt', 'gateway', 1, 930, 10.5, 480),
  sample('bearer-jwt', 'bare', 1, 1000, 10, 340),
  sample('bearer-jwt', 'gateway', 2, 970, 22, 470),
  sample('bearer-jwt', 'bare', 2, 1000, 10, 360),
  // The control: twin over bare 1.05 / 0.92 / 1.01, p99 −2 / +6 / +1 ms, CPU +10 / −30 / +5 µs.
  sample(CONTROL_KIND, 'twin', 0, 1050, 8, 360),
  sample(CONTROL_KIND, 'bare', 0, 1000, 10, 350),
  sample(CONTROL_KIND, 'twin', 1, 920, 16, 310),
  sample(CONTROL_KIND, 'bare', 1, 1000, 10, 340),
  sample(CONTROL_KIND, 'twin', 2, 1010, 11, 365),
  sample(CONTROL_KIND, 'bare', 2, 1000, 10, 360),
];

describe('the A/A control', () => {
  afterEach(() => vi.restoreAllMocks());

  it('pairs each measured side with the bare proxy of its own round', () => {
    const [jwt, control] = summarize(['bearer-jwt', CONTROL_KIND], SAMPLES);
    expect(jwt!.perRound.map((r) => r.ratio)).toEqual([0.9, 0.93, 0.97]);
    expect(jwt!.ratio).toBeCloseTo(0.93, 10);
    expect(control!.perRound.map((r) => r.p99AddedMs)).toEqual([-2, 6, 1]);
    expect(control!.perRound.map((r) => r.addedCpuUs)).toEqual([10, -30, 5]);
  });

  it('resolves to the widest distance from "no difference" over its rounds, in either direction', () => {
    const control = summarize([CONTROL_KIND], SAMPLES)[0];
    const res = resolutionOf(control)!;
    expect(res.ratio).toBeCloseTo(0.08, 10);
    expect(res.p99Ms).toBe(6);
    expect(res.cpuUs).toBe(30);
    expect(resolutionOf(undefined)).toBeUndefined();
    expect(resolutionOf(summarize([CONTROL_KIND], [])[0])).toBeUndefined();
  });

  it('marks a verdict inside the control spread as not resolved, and leaves one outside it plain', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    printSummary(summarize(['bearer-jwt', CONTROL_KIND], SAMPLES), 'bearer-jwt');
    const verdict = lines.find((l) => l.includes('bearer-jwt') && l.includes('throughput'))!;
    // Ratio 0.93 against 0.95: 0.02 from the target, inside the control's ±0.08.
    expect(verdict).toMatch(/throughput 0\.930 of bare \(≥ 0\.95\) MISSED \(within the A\/A control's spread ±0\.080: not resolved\)/);
    // p99 +3 ms against ≤ 1 ms: 2 ms from the target, inside the control's ±6 ms.
    expect(verdict).toMatch(/p99 added 3\.00 ms \(≤ 1\) MISSED \(within/);
    expect(lines.join('\n')).toMatch(/A\/A control .* ratio 1\.050 \/ 0\.920 \/ 1\.010/);

    // A control that agrees with itself to 1%: the same figures are then plainly MISSED.
    const tight = SAMPLES.map((s) => (s.kind === CONTROL_KIND && s.target === 'twin' ? { ...s, rps: 1005, p99: 10.2, cpuUsPerRequest: s.cpuUsPerRequest } : s));
    lines.length = 0;
    printSummary(summarize(['bearer-jwt', CONTROL_KIND], tight), 'bearer-jwt');
    const plain = lines.find((l) => l.includes('bearer-jwt') && l.includes('throughput'))!;
    expect(plain).toMatch(/throughput 0\.930 of bare \(≥ 0\.95\) MISSED;/);
    expect(plain).toMatch(/p99 added 3\.00 ms \(≤ 1\) MISSED;/);
  });
});

describe('upstream fetches', () => {
  const row = (discovery: number, jwks: number, introspection: number, kind = 'opaque-token') => ({ kind, upstream: { discovery, jwks, introspection, token: 0 }, gatewaySeconds: 12, segments: 3 });
  it('none is met; introspection calls up to the cache expiries of the measured time times the connections are the cache refreshing, not a fetch per request', () => {
    expect(upstreamVerdict(row(0, 0, 0), 30, 16)).toEqual({ ok: true, note: '' });
    // 12 s in 3 segments, 30 s cache: at most 1 + 3 expiries met by up to 16 requests each.
    expect(upstreamVerdict(row(0, 0, 64), 30, 16).ok).toBe(true);
    expect(upstreamVerdict(row(0, 0, 65), 30, 16).ok).toBe(false);
  });
  it('no allowance for a kind that is not introspected, nor for a cache that keeps nothing', () => {
    expect(upstreamVerdict(row(0, 0, 1, 'bearer-jwt'), 30, 16).ok).toBe(false);
    expect(upstreamVerdict(row(0, 0, 1), 0, 16).ok).toBe(false);
  });

  it('a key set or discovery fetch while measuring is never the steady state (their caches last 10 minutes)', () => {
    expect(upstreamVerdict(row(0, 1, 0), 30, 16).ok).toBe(false);
    expect(upstreamVerdict(row(1, 0, 0), 30, 16).ok).toBe(false);
  });
});
