/**
 * The admin API under /_switchback/api: JSON in and out, every input
 * validated, every change audited with its actor. Authentication (API token
 * or Cloudflare Access) first, then the sub-apps.
 */
import { Hono } from 'hono';
import { requireActor, type AdminEnv } from '../admin/admin-http.ts';
import { problem } from '../http/problem.ts';
import { adminFlags } from './admin-flags.ts';
import { adminClientConfig } from './admin-client-config.ts';
import { adminController } from './admin-controller.ts';
import { adminMirror } from './admin-mirror.ts';
import { adminAftermath } from './admin-aftermath.ts';
import { adminDrillMode } from './admin-drill-mode.ts';
import { adminComms } from './admin-comms.ts';

export const admin = new Hono<AdminEnv>()
  .use('/_switchback/api/*', requireActor)
  .route('/', adminFlags)
  .route('/', adminClientConfig)
  .route('/', adminController)
  .route('/', adminMirror)
  .route('/', adminAftermath)
  .route('/', adminDrillMode)
  .route('/', adminComms)
  .all('/_switchback/api/*', (c) => problem(c, 'not_found', 'No such admin endpoint.'));

/** The admin API's type: every path, method, body and answer, for Hono's typed client (`hc<AdminApi>`). */
export type AdminApi = typeof admin;
