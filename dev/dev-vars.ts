// Which gateway variables `npm start` takes from the person running it, and
// from where. Highest first: SWITCHBACK_VAR_<NAME> (the old alias), <NAME>
// in the environment, then the first of `.dev.vars` / `.env` in the repo root
// that exists (wrangler's own rule: with a .dev.vars, .env is not read) or
// the file given with --env-file. Only documented names are taken (never PATH,
// HOME, ...); other names in a file or after the prefix are reported, not used.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

export const VAR_ALIAS_PREFIX = 'SWITCHBACK_VAR_';
export const DEFAULT_VAR_FILES = ['.dev.vars', '.env'] as const;

export interface DevVars {
  vars: Record<string, string>;
  /** Where each taken variable came from: "environment", "SWITCHBACK_VAR_X" or a file name. */
  sources: Record<string, string>;
  /** The file read, if any. */
  file: string | undefined;
  /** Names that were offered (in the file or after the prefix) but are not documented: ignored. */
  ignored: string[];
}

export interface DevVarsInput {
  env: Record<string, string | undefined>;
  known: ReadonlySet<string>;
  /** Directory holding .dev.vars / .env. */
  root: string;
  /** An explicit file instead of .dev.vars / .env (must exist). */
  file?: string;
}

export function collectDevVars(input: DevVarsInput): DevVars {
  const vars: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const ignored: string[] = [];
  const take = (name: string, value: string | undefined, source: string) => {
    if (value === undefined) return;
    if (!input.known.has(name)) {
      ignored.push(`${name} (${source})`);
      return;
    }
    vars[name] = value;
    sources[name] = source;
  };

  let file = input.file;
  if (file !== undefined && !existsSync(file)) throw new Error(`--env-file ${file}: no such file`);
  file ??= DEFAULT_VAR_FILES.map((f) => join(input.root, f)).find((p) => existsSync(p));
  if (file !== undefined) {
    const label = file.startsWith(input.root) ? file.slice(input.root.length).replace(/^[/\\]/, '') : file;
    for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) take(name, value, label);
  }
  for (const name of input.known) if (input.env[name] !== undefined) take(name, input.env[name], 'environment');
  for (const [key, value] of Object.entries(input.env)) {
    if (key.startsWith(VAR_ALIAS_PREFIX) && key.length > VAR_ALIAS_PREFIX.length) take(key.slice(VAR_ALIAS_PREFIX.length), value, key);
  }
  return { vars, sources, file, ignored };
}
