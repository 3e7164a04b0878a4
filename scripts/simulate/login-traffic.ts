/**
 * Synthetic login traffic for the simulation, one 10 s bucket at a time:
 * Poisson arrivals, each from a client (a hashed IP) drawn from a large pool
 * or, for the B2B variant, from a few shared egress IPs; an optional
 * percentage split between the Olympus and Auth0 cohorts; optional scripted
 * attackers; and an outage mode where failures hang and only surface as
 * `abandoned` after abandon_after (as the controller's alarm records them).
 */
import type { CappedWindow, Cohort } from './capped-window.ts';
import type { Rng } from './prng.ts';

/** Outcome indices used with CappedWindow: the controller's own outcome names. */
export const LOGIN_OUTCOMES = ['succeeded', 'failed', 'abandoned'] as const;
const SUCCEEDED = 0;
const FAILED = 1;
const ABANDONED = 2;

export interface LoginMix {
  /** Mean logins per 5 minutes (both cohorts). */
  loginsPerWindow: number;
  /** Distinct clients the ordinary logins are drawn from. */
  poolClients: number;
  /** Share of logins coming from a few shared egress IPs (0 = none). */
  natShare: number;
  natClients: number;
  /** Share of logins routed to Olympus (1 = no split). */
  olympusShare: number;
}

export interface LoginHealth {
  /** True success probability per login, per cohort. */
  olympus: number;
  auth0: number;
  /** Failures never reach /callback: they are counted as abandoned after abandon_after. */
  hang: boolean;
}

export interface LoginAttack {
  /** Distinct attacking clients (IPs), each on the Olympus cohort. */
  clients: number;
  failedPerBucket: number;
  abandonedPerBucket: number;
}

export const NO_ATTACK: LoginAttack = { clients: 0, failedPerBucket: 0, abandonedPerBucket: 0 };

export class LoginTraffic {
  readonly clients: number;
  health: LoginHealth;
  private readonly perBucket: number;
  private readonly delayed: number[][];
  private t = 0;

  constructor(
    private readonly mix: LoginMix,
    private readonly attack: LoginAttack,
    health: LoginHealth,
    private readonly rng: Rng,
    /** abandon_after in buckets, plus one for the alarm's 10 s cadence. */
    private readonly abandonDelayBuckets: number,
  ) {
    this.clients = mix.poolClients + mix.natClients + attack.clients;
    this.health = health;
    this.perBucket = mix.loginsPerWindow / 30;
    this.delayed = Array.from({ length: abandonDelayBuckets + 1 }, () => []);
  }

  /** Emits one bucket of events into the window (after win.beginBucket()). */
  emit(win: CappedWindow): void {
    const rng = this.rng;
    const { poolClients, natShare, natClients, olympusShare } = this.mix;
    this.t++;
    const due = this.delayed[this.t % this.delayed.length]!;
    for (let i = 0; i < due.length; i += 2) win.add(due[i] as Cohort, ABANDONED, due[i + 1]!, 1);
    due.length = 0;
    const n = rng.poisson(this.perBucket);
    const h = this.health;
    for (let i = 0; i < n; i++) {
      const client = natShare > 0 && rng.next() < natShare ? poolClients + rng.int(natClients) : rng.int(poolClients);
      const cohort: Cohort = olympusShare >= 1 || rng.next() < olympusShare ? 0 : 1;
      if (rng.next() < (cohort === 0 ? h.olympus : h.auth0)) win.add(cohort, SUCCEEDED, client, 1);
      else if (h.hang) this.delayed[(this.t + this.abandonDelayBuckets) % this.delayed.length]!.push(cohort, client);
      else win.add(cohort, FAILED, client, 1);
    }
    const base = poolClients + natClients;
    for (let a = 0; a < this.attack.clients; a++) {
      win.add(0, FAILED, base + a, this.attack.failedPerBucket);
      win.add(0, ABANDONED, base + a, this.attack.abandonedPerBucket);
    }
  }
}
