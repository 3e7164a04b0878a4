// The gateways the controller benchmark runs against, each from a frozen copy
// of the worker source (wrangler dev restarts on edits, which would reset the
// controller object mid-run): "counting on" is the worker as it is; "counting
// off" is the same copy with recordOutcome() turned into a no-op, the only
// way to get a baseline without counting (the worker has no switch for it).
// Both get fast rollback rules and a support-ticket hook secret.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startStack, type Stack } from '../dev/stack.ts';
import { snapshotWorker } from './worker-snapshot.ts';

export const LOGIN_RULE = 'login_success_rate < 95%';

/**
 * Fast rules for timing: evaluated every second, two breaching evaluations in
 * a row, a 20 s window (the current and the previous 10 s bucket) so runs a
 * little apart do not see each other's failures. No ticket rule: the ingest
 * phase posts thousands of tickets and must not trigger a rollback.
 */
export const FAST_RULES = {
  evaluate_every: '1s',
  abandon_after: '5s',
  rollback_if: [
    { rule: LOGIN_RULE, window: '20s', min_samples: 10, min_clients: 5, consecutive: 2 },
    'api_error_rate > 5%',
    { manual_decision_by: ['oncall', 'eng-lead'] },
  ],
};

const RECORDER = 'src/telemetry/outcome-recorder.ts';
const RECORD_FN = 'export function recordOutcome(env: Env, ctx: WaitUntil, e: OutcomeEvent): void {';

export interface BenchGateway {
  stack: Stack;
  counting: boolean;
  supportHookSecret: string;
}

/** Makes the "counting off" copy: recordOutcome returns at once (client-key hashing in the routes still runs). */
async function disableCounting(wranglerToml: string): Promise<void> {
  const file = join(dirname(wranglerToml), RECORDER);
  const text = await readFile(file, 'utf8');
  if (!text.includes(RECORD_FN)) throw new Error(`${RECORDER} no longer has "${RECORD_FN}": update bench/controller-stack.ts`);
  await writeFile(file, text.replace(RECORD_FN, `${RECORD_FN}\n  if (e) return; // bench: counting off\n`));
}

export async function startBenchGateway(counting: boolean, snapshotDir: string): Promise<BenchGateway> {
  const wranglerConfig = await snapshotWorker(snapshotDir);
  if (!counting) await disableCounting(wranglerConfig);
  const supportHookSecret = randomBytes(24).toString('base64url');
  const stack = await startStack({
    wranglerConfig,
    extraVars: { ROLLBACK_RULES: JSON.stringify(FAST_RULES), SUPPORT_HOOK_SECRET: supportHookSecret },
  });
  return { stack, counting, supportHookSecret };
}
