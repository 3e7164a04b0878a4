/**
 * Command-line options of `npm run simulate`, with the defaults that keep a
 * full run near a minute on two cores; --scale multiplies every count.
 */
import type { Sizes } from './scenario.ts';

export const SECTIONS = ['sequential', 'logins', 'detection', 'api', 'tickets', 'attack', 'split'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Options {
  seed: number;
  rulesFile: string | undefined;
  sizes: Sizes;
  checkEvery: number;
  sections: Section[];
  /** The arguments as given, for the printed reproduction command. */
  argv: string[];
}

const DEFAULT_SIZES: Sizes = { days: 40, trials: 400, apiDays: 1, apiTrials: 100, ticketDays: 365, ticketTrials: 1000, attackDays: 6, attackTrials: 100, splitDays: 4, splitTrials: 200 };
const SIZE_FLAGS: Record<string, keyof Sizes> = {
  '--days': 'days',
  '--trials': 'trials',
  '--api-days': 'apiDays',
  '--api-trials': 'apiTrials',
  '--ticket-days': 'ticketDays',
  '--ticket-trials': 'ticketTrials',
  '--attack-days': 'attackDays',
  '--attack-trials': 'attackTrials',
  '--split-days': 'splitDays',
  '--split-trials': 'splitTrials',
};

export const USAGE = `npm run simulate -- [--seed N] [--rules FILE] [--sections ${SECTIONS.join(',')}] [--scale X]
  [${Object.keys(SIZE_FLAGS).join(' N] [')} N] [--check-every N]`;

function num(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
  return n;
}

export function parseArgs(argv: string[]): Options {
  const sizes = { ...DEFAULT_SIZES };
  const o: Options = { seed: 20240611, rulesFile: undefined, sizes, checkEvery: 997, sections: [...SECTIONS], argv };
  let scale = 1;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    else if (flag === '--seed') o.seed = Math.floor(num(flag, v)) >>> 0;
    else if (flag === '--rules') {
      if (!v) throw new Error('--rules needs a file');
      o.rulesFile = v;
    } else if (flag === '--scale') scale = num(flag, v);
    else if (flag === '--check-every') o.checkEvery = Math.floor(num(flag, v));
    else if (flag === '--sections') {
      const list = (v ?? '').split(',').filter(Boolean);
      const bad = list.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (!list.length || bad.length) throw new Error(`--sections takes a comma list of ${SECTIONS.join(', ')}`);
      o.sections = list as Section[];
    } else if (SIZE_FLAGS[flag]) sizes[SIZE_FLAGS[flag]] = num(flag, v);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
    i++;
  }
  for (const k of Object.keys(sizes) as (keyof Sizes)[]) {
    const scaled = sizes[k] * scale;
    sizes[k] = k.endsWith('Days') || k === 'days' ? scaled : Math.max(1, Math.round(scaled));
  }
  return o;
}
