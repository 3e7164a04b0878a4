/** The gateway's public key set, for apps that verify X-Auth-Assertion. */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { publicJwks } from '../origin/gateway-assertion.ts';

export const wellKnown = new Hono<AppEnv>().get('/.well-known/switchback/jwks.json', (c) =>
  c.json(publicJwks(c.var.config.signingKey), 200, { 'cache-control': 'public, max-age=300' }),
);
