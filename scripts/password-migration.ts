/**
 * `switchback password-migration status` / `npm run password-migration -- status`:
 * how many users have their password in Olympus and how many still wait for
 * their first sign-in (the password migration hook), counted from the
 * Kratos admin API. Kratos's admin API is firewalled: this runs where it is
 * reachable (the Olympus network), not in the gateway. Read-only: it pages
 * through `GET /admin/identities?include_credential=password` and keeps
 * counts, never a hash.
 *
 *   switchback password-migration status [--json] [--kratos-admin-url URL] [--kratos-admin-header 'Name: value']...
 *
 * Configuration (flags override): KRATOS_ADMIN_URL, KRATOS_ADMIN_HEADERS (a
 * JSON object, as the gateway's).
 */
import { parseArgs } from 'node:util';
import { KratosAdminClient } from '../src/reconcile/kratos-admin-client.ts';
import { addToCensus, EMPTY_CENSUS, migratedShare, type MigrationCensus } from '../src/password-migration/migration-census.ts';
import { SwitchbackError } from '../src/core/errors.ts';

const USAGE = `usage: switchback password-migration status [--json] [--page-size N]
                                           [--kratos-admin-url URL] [--kratos-admin-header 'Name: value']...`;

class UsageError extends SwitchbackError {
  readonly code = 'ERR_USAGE';
}

function headersOf(list: string[] | undefined, fromEnv: string | undefined): Record<string, string> {
  let out: Record<string, string> = {};
  if (fromEnv) {
    try {
      out = JSON.parse(fromEnv) as Record<string, string>;
    } catch {
      throw new UsageError('KRATOS_ADMIN_HEADERS must be a JSON object of header values');
    }
  }
  for (const h of list ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--kratos-admin-header ${JSON.stringify(h)} must look like 'Name: value'`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** Pages through every identity and counts; `onPage` sees progress. */
export async function passwordMigrationCensus(kratos: KratosAdminClient, pageSize = 500, onPage?: (c: MigrationCensus) => void): Promise<MigrationCensus> {
  let census = EMPTY_CENSUS;
  let token: string | undefined;
  do {
    const page = await kratos.page(pageSize, token);
    census = addToCensus(census, page.identities);
    onPage?.(census);
    token = page.next;
  } while (token !== undefined);
  return census;
}

export function censusText(c: MigrationCensus, where: string): string {
  const share = migratedShare(c);
  const n = (v: number) => v.toLocaleString('en-US').padStart(9);
  return [
    `Password migration, counted from the Kratos admin API at ${where}: ${c.total.toLocaleString('en-US')} identities`,
    `  password in Olympus (migrated or set there) ${n(c.withHash)}${share === undefined ? '' : `  (${(share * 100).toFixed(1)}% of password users)`}`,
    `  pending (hook on, no hash yet)              ${n(c.pending)}`,
    `  no password credential                      ${n(c.noPassword)}`,
  ].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, out: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'page-size': { type: 'string' },
      'kratos-admin-url': { type: 'string' },
      'kratos-admin-header': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals[0] !== 'status' || positionals.length !== 1) throw new UsageError(USAGE);
  const url = values['kratos-admin-url'] ?? env.KRATOS_ADMIN_URL;
  if (!url) throw new UsageError('--kratos-admin-url (or KRATOS_ADMIN_URL) is required: status counts identities through the Kratos admin API, run it where that API is reachable');
  const pageSize = Number(values['page-size'] ?? 500);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new UsageError('--page-size must be a whole number from 1 to 500 (Kratos caps pages at 500)');
  const kratos = new KratosAdminClient(url, headersOf(values['kratos-admin-header'], env.KRATOS_ADMIN_HEADERS), 2);
  const census = await passwordMigrationCensus(kratos, pageSize);
  out(values.json ? JSON.stringify({ ...census, migratedShare: migratedShare(census) ?? null }) : censusText(census, new URL(url).origin));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const usage = err instanceof UsageError || (err as { code?: unknown })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
      console.error(`switchback password-migration: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(usage ? 2 : 1);
    },
  );
}
