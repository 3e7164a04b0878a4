/** The console's series: per-minute rows laid on a regular axis, counts in the right step, nothing outside the range. */
import { describe, expect, it } from 'vitest';
import { HISTORY_RANGES, historyFromMinute, historySeries, isHistoryRange } from '../../src/rollback/history.ts';

const NOW = Date.UTC(2026, 10, 29, 12, 30, 25); // 12:30:25
const minute = (h: number, m: number) => Date.UTC(2026, 10, 29, h, m) / 60_000;

describe('historySeries', () => {
  it('15m: 15 one-minute steps ending with the minute in progress; missing minutes are 0', () => {
    const h = historySeries(
      [
        { minute: minute(12, 16), signal: 'login', provider: 'olympus', outcome: 'failed', n: 2 },
        { minute: minute(12, 30), signal: 'login', provider: 'olympus', outcome: 'failed', n: 5 },
        { minute: minute(12, 30), signal: 'login', provider: 'olympus', outcome: 'failed', n: -1 },
        { minute: minute(12, 15), signal: 'login', provider: 'olympus', outcome: 'failed', n: 9 }, // before the range
      ],
      NOW,
      '15m',
    );
    expect(h.step_seconds).toBe(60);
    expect(h.t).toHaveLength(15);
    expect(h.t.at(-1)).toBe(minute(12, 30) * 60);
    expect(h.t[0]).toBe(minute(12, 16) * 60);
    const failed = h.series.login!.olympus!.failed!;
    expect(failed[0]).toBe(2);
    expect(failed.at(-1)).toBe(4); // a late correction (-1) lands in its minute
    expect(failed.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('24h: 288 five-minute steps, minutes summed into their step', () => {
    const rows = [0, 1, 2, 3, 4, 5].map((m) => ({ minute: minute(12, 20 + m), signal: 'api', provider: 'auth0', outcome: 'error', n: 1 }));
    const h = historySeries(rows, NOW, '24h');
    expect(h.t).toHaveLength(HISTORY_RANGES['24h'].seconds / 300);
    expect(h.t.at(-1)).toBe(minute(12, 30) * 60);
    const err = h.series.api!.auth0!.error!;
    expect(err.at(-3)).toBe(5); // 12:20-12:24
    expect(err.at(-2)).toBe(1); // 12:25 falls in 12:25-12:29
    expect(err.at(-1)).toBe(0); // 12:30, in progress
  });

  it('asks the store from the first minute of the first step', () => {
    expect(historyFromMinute(NOW, '15m')).toBe(minute(12, 16));
    expect(historyFromMinute(NOW, '24h')).toBe(minute(12, 30) - 24 * 60 + 5);
  });

  it('only the four ranges are ranges', () => {
    expect(['15m', '1h', '6h', '24h'].every(isHistoryRange)).toBe(true);
    expect(['', '2h', '__proto__', 'toString', '1H'].some(isHistoryRange)).toBe(false);
  });
});
