// Identifier formats Auth0 uses: 24-hex database user ids (auth0|…), and
// job_/con_ ids matching ^job_[A-Za-z0-9]{16}$ / ^con_[A-Za-z0-9]{16}$.
import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function alnum(length: number): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

export const newUserHexId = () => randomBytes(12).toString('hex');
export const newJobId = () => `job_${alnum(16)}`;
export const newConnectionId = () => `con_${alnum(16)}`;

export const JOB_ID_PATTERN = /^job_[A-Za-z0-9]{16}$/;
export const CONNECTION_ID_PATTERN = /^con_[A-Za-z0-9]{16}$/;
