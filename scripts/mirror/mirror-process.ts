/**
 * `switchback mirror` as a running thing: the engine (src/mirror/mirror.ts)
 * with its journal file, its hook endpoint, and three loops: drain the queue,
 * sweep GET /admin/identities every MIRROR_SWEEP_SECONDS (and once at start),
 * and send a heartbeat to the controller every MIRROR_HEARTBEAT_SECONDS
 * (again at once while mirrored ids remain unreported). Used by
 * scripts/mirror.ts, the tests and the benchmark.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Mirror, type MirrorSnapshot, type UnreportedSignup } from '../../src/mirror/mirror.ts';
import type { KratosAdminClient } from '../../src/reconcile/kratos-admin-client.ts';
import type { ReconcileTarget } from '../../src/reconcile/reconcile-target.ts';
import type { LegacyPasswordPolicy } from '../../src/reconcile/legacy-password.ts';
import type { MirrorHeartbeat } from '../../src/rollback/mirror-state.ts';
import { fileJournal } from '../cli/file-journal.ts';
import type { MirrorEvent } from '../../src/mirror/mirror-journal.ts';
import { mirrorHookApp } from './hook-app.ts';

export interface MirrorProcessOptions {
  kratos: KratosAdminClient;
  target: ReconcileTarget;
  journalPath: string;
  hookToken?: string;
  host?: string;
  /** 0: a free port. */
  port?: number;
  sweepSeconds?: number;
  heartbeatSeconds?: number;
  maxBacklog?: number;
  batchMax?: number;
  /** MIRROR_LEGACY_PASSWORD_CHANGES (src/reconcile/legacy-password.ts). */
  legacyPasswordChanges?: LegacyPasswordPolicy;
  /** Sends a heartbeat to the controller; undefined: not reporting. */
  report?: (hb: MirrorHeartbeat) => Promise<void>;
  log?: (line: string) => void;
}

export interface MirrorProcess {
  url: string;
  mirror: Mirror;
  /** Sweeps now (resolves when done). */
  sweep(): Promise<{ seen: number; queued: number }>;
  /** Sends heartbeats until every mirrored id is reported. */
  heartbeat(): Promise<void>;
  /** Resolves once the backlog is empty. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const HEARTBEAT_IDS = 300;

/** The gateway answered a heartbeat with an HTTP error (what `report` throws, so the mirror can tell a 400 from a network failure). */
export class HeartbeatRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `report` for a gateway's admin API: one heartbeat POST, an HTTP error thrown as HeartbeatRefused. */
export function heartbeatReporter(post: (hb: MirrorHeartbeat) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>): (hb: MirrorHeartbeat) => Promise<void> {
  return async (hb) => {
    const res = await post(hb);
    if (!res.ok) throw new HeartbeatRefused(res.status, `POST /mirror/heartbeat answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  };
}

export function heartbeatBody(s: MirrorSnapshot, ids: UnreportedSignup[]): MirrorHeartbeat {
  const password = (p: 'kept' | 'reset') => ids.flatMap((i) => ('password' in i && i.password === p ? [i.id] : []));
  const owned = ids.flatMap((i) => ('owned' in i ? [i.id] : []));
  return {
    ...s,
    mirrored_with_password: password('kept'),
    mirrored_without_password: password('reset'),
    // Only when there are some: a gateway older than this field refuses a body that names it.
    ...(owned.length ? { legacy_owned: owned } : {}),
  };
}

export async function startMirrorProcess(o: MirrorProcessOptions): Promise<MirrorProcess> {
  const log = o.log ?? ((l: string) => console.error(l));
  const journal = fileJournal<MirrorEvent>(o.journalPath, `${o.journalPath} (mirror journal)`);
  const mirror = await Mirror.open({ kratos: o.kratos, target: o.target, journal, maxBacklog: o.maxBacklog, batchMax: o.batchMax, ...(o.legacyPasswordChanges ? { legacyPasswordChanges: o.legacyPasswordChanges } : {}), log });
  const app = mirrorHookApp(() => mirror, o.hookToken);
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: o.host ?? '127.0.0.1', port: o.port ?? 0, overrideGlobalObjects: false }, () => resolve(s as Server));
  });
  const addr = server.address() as AddressInfo;
  let stopped = false;
  let sweeping: Promise<{ seen: number; queued: number }> | undefined;
  const sweep = () => {
    sweeping ??= mirror.sweep().finally(() => (sweeping = undefined));
    return sweeping;
  };
  let reporting: Promise<void> | undefined;
  let legacyOwnedRefused = false;
  const heartbeat = () => {
    reporting ??= (async () => {
      if (!o.report) return;
      for (let round = 0; round < 100; round++) {
        const ids = mirror.unreported(HEARTBEAT_IDS, { owned: !legacyOwnedRefused });
        try {
          await o.report(heartbeatBody(mirror.snapshot(), ids));
        } catch (err) {
          // A gateway older than `legacy_owned` refuses a body that names it (400, strict schema): the rest still goes,
          // and the legacy-owned signups wait, unacknowledged, for a gateway that takes them (the next start tries again).
          if (!(err instanceof HeartbeatRefused && err.status === 400) || !ids.some((i) => 'owned' in i)) throw err;
          legacyOwnedRefused = true;
          log('mirror: the gateway refused legacy_owned (older than this mirror?): reporting without it');
          round--;
          continue;
        }
        await mirror.acknowledge(ids.map((i) => i.id));
        if (ids.length < HEARTBEAT_IDS) break;
      }
    })()
      .catch((err: unknown) => log(`mirror: heartbeat failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (reporting = undefined));
    return reporting;
  };
  const worker = (async () => {
    while (!stopped) {
      await mirror.waitForWork(500);
      if (stopped) break;
      try {
        await mirror.drainOnce();
      } catch (err) {
        log(`mirror: pass failed (retrying): ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  void sweep().catch((err: unknown) => log(`mirror: first sweep failed: ${err instanceof Error ? err.message : String(err)}`));
  const sweepTimer = setInterval(() => void sweep().catch((err: unknown) => log(`mirror: sweep failed: ${err instanceof Error ? err.message : String(err)}`)), (o.sweepSeconds ?? 300) * 1000);
  const beatTimer = setInterval(() => void heartbeat(), (o.heartbeatSeconds ?? 15) * 1000);
  return {
    url: `http://${addr.address}:${addr.port}`,
    mirror,
    sweep,
    heartbeat,
    async idle(timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (mirror.backlog > 0 || sweeping) {
        if (Date.now() > until) throw new Error(`mirror not idle after ${timeoutMs} ms (backlog ${mirror.backlog})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped = true;
      clearInterval(sweepTimer);
      clearInterval(beatTimer);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      await worker;
      await sweeping?.catch(() => undefined);
      await reporting;
      await journal.close();
    },
  };
}
