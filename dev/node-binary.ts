// Which Node runs the child processes we start (wrangler, the CLIs under test,
// `npm start`): wrangler needs Node >= 22, so prefer the repo's node@22
// devDependency over whatever Node runs us. One place, so every test, bench
// and the dev stack start the same binary.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_NODE = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));

/** The repo's Node 22 binary, or the current one when the devDependency is not installed. */
export function node22(): string {
  return existsSync(REPO_NODE) ? REPO_NODE : process.execPath;
}

/** The command line of a TypeScript entry point run with the repo's tsx on Node 22. */
export function tsxCommand(script: string, args: readonly string[] = []): string[] {
  return [node22(), fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url)), script, ...args];
}
