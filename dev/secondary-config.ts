// A multi-Worker `wrangler dev -c a -c b` gives --env-file to the first Worker
// only; the others read the `.dev.vars` beside their config. So each further
// config is copied into the stack's temp directory (its relative paths made
// absolute) next to a `.dev.vars` with the same variables: the controller
// Worker of the production split (deploy/) reads the gateway's configuration.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeEnvFile } from './env-file.ts';

/** Writes `<dir>/wrangler.toml` and `<dir>/.dev.vars`; returns the config's path. */
export async function secondaryWorkerConfig(configPath: string, dir: string, vars: Record<string, string>): Promise<string> {
  const from = dirname(configPath);
  const text = (await readFile(configPath, 'utf8')).replace(/^(main|directory)\s*=\s*"([^"]+)"/gm, (_, key: string, path: string) => `${key} = ${JSON.stringify(resolve(from, path))}`);
  await mkdir(dir, { recursive: true });
  const out = join(dir, 'wrangler.toml');
  await writeFile(out, text);
  await writeEnvFile(join(dir, '.dev.vars'), vars);
  return out;
}
