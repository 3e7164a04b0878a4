/**
 * `npm run rollback -- --reason "login failures"` and `bin/switchback rollback`:
 * the plan's rollback script as a command. Sends new logins back to Auth0
 * through the gateway's admin API and verifies it (see scripts/cli/rollback-run.ts
 * for the steps, `--help` for the options). Exit 0 only when every required
 * step passed.
 */
import { parseRollbackOptions, secretsOf, UsageError, USAGE } from './cli/rollback-options.ts';
import { processOutput, RollbackReport, type Output } from './cli/rollback-report.ts';
import { EXIT, runRollback, STEPS } from './cli/rollback-run.ts';

const HELP_HINT = 'options: switchback rollback --help, or npm run rollback -- --help';

async function rollbackMain(argv: string[], env: NodeJS.ProcessEnv, io: Output = processOutput): Promise<number> {
  let options;
  try {
    options = parseRollbackOptions(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    RollbackReport.usageError(argv.includes('--json'), err.message, HELP_HINT, io);
    return EXIT.usage;
  }
  if (options === 'help') {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const report = new RollbackReport(options.json, secretsOf(options), io, { gatewayUrl: options.gatewayUrl, reason: options.reason, totalSteps: STEPS.length });
  report.start();
  const { exitCode } = await runRollback(options, report);
  return exitCode;
}

process.exitCode = await rollbackMain(process.argv.slice(2), process.env);
