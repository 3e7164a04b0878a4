/** Liveness for load balancers and the rollback script: no secrets, no upstream calls. */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const health = new Hono<AppEnv>().get('/_switchback/health', (c) => c.json({ ok: true, service: 'switchback' }, 200, { 'cache-control': 'no-store' }));
