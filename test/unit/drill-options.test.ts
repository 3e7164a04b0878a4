/** `npm run drill` options: --record-to sends the result to another gateway (prod, after a rehearsal on staging). */
import { expect, it } from 'vitest';
import { DrillUsageError, readDrillOptions } from '../../scripts/drill/drill-options.ts';

const base = ['--gateway', 'https://staging.example.test/', '--token', 'staging-token'];

it('--record-to names the other gateway; its token is --record-token, else SWITCHBACK_RECORD_TOKEN, else --token', () => {
  const o = readDrillOptions([...base, '--record-to', 'https://prod.example.test/', '--record-token', 'prod-token'], {});
  expect(o !== 'help' && o.recordTo).toEqual({ gateway: 'https://prod.example.test', token: 'prod-token' });
  const fromEnv = readDrillOptions([...base, '--record-to', 'https://prod.example.test'], { SWITCHBACK_RECORD_TOKEN: 'env-token' });
  expect(fromEnv !== 'help' && fromEnv.recordTo).toEqual({ gateway: 'https://prod.example.test', token: 'env-token' });
  const same = readDrillOptions([...base, '--record-to', 'https://prod.example.test'], {});
  expect(same !== 'help' && same.recordTo?.token).toBe('staging-token');
  const none = readDrillOptions(base, {});
  expect(none !== 'help' && none.recordTo).toBeUndefined();
});

it('refuses a --record-to that is not a gateway URL, or the drilled gateway itself', () => {
  expect(() => readDrillOptions([...base, '--record-to', 'prod'], {})).toThrow(DrillUsageError);
  expect(() => readDrillOptions([...base, '--record-to', 'ftp://prod.example.test'], {})).toThrow(/http\(s\)/);
  expect(() => readDrillOptions([...base, '--record-to', 'https://staging.example.test/x'], {})).toThrow(/drilled gateway itself/);
});
