/**
 * Parses configuration once per isolate and puts it on the context. When it
 * is invalid, every request gets a 503 whose message names the variable (and
 * never a secret's value): fail closed, loudly.
 */
import { createMiddleware } from 'hono/factory';
import { ConfigError, configFromEnv } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { log } from '../core/log.ts';
import { problem } from './problem.ts';

export const configMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  try {
    c.set('config', configFromEnv(c.env));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log('error', { event: 'config_invalid', reason: 'config_invalid', variable: err.variable, message: err.message });
    return problem(c, 'misconfigured', err.message, { variable: err.variable });
  }
  await next();
});
