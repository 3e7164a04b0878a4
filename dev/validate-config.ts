// Runs the worker's own configuration parser (src/config.ts parseConfig) on
// the stack's variables before wrangler starts, so `npm start` fails fast with
// exactly the message the worker would give. A no-op until src/config.ts exists.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type ConfigValidator = (vars: Record<string, string>) => void | Promise<void>;

/** Thrown when the gateway configuration is invalid; message is the parser's own message. */
export class StackConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StackConfigError';
  }
}

const CONFIG_MODULE = new URL('../src/config.ts', import.meta.url);

export async function workerConfigValidator(): Promise<ConfigValidator | undefined> {
  if (!existsSync(fileURLToPath(CONFIG_MODULE))) return undefined;
  const mod = (await import(CONFIG_MODULE.href)) as { parseConfig?: (vars: Record<string, string>) => unknown };
  if (typeof mod.parseConfig !== 'function') return undefined;
  const parse = mod.parseConfig;
  return async (vars) => {
    await parse(vars);
  };
}

export async function runValidator(validator: ConfigValidator | undefined, vars: Record<string, string>): Promise<void> {
  if (!validator) return;
  try {
    await validator(vars);
  } catch (err) {
    throw new StackConfigError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}
