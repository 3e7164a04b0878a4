/** The stub of the one controller object, for routes and the outcome recorder. */
import type { Env } from '../env.ts';
import { CONTROLLER_NAME } from './controller-name.ts';

export function controller(env: Env) {
  return env.CONTROLLER.get(env.CONTROLLER.idFromName(CONTROLLER_NAME));
}
