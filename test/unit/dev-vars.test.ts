/**
 * `npm start`'s configuration: the documented names (read from
 * docs/configuration.md) are the ones the worker's parser reads, and the
 * precedence is alias > environment > .dev.vars (else .env), with nothing
 * else (PATH, HOME, an unrelated name in a file) passed to the worker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentedVars } from '../../dev/config-vars.ts';
import { collectDevVars } from '../../dev/dev-vars.ts';
import { gatewayVars, generateSecrets } from '../../dev/gateway-vars.ts';
import { DEMO_ROLLBACK_RULES } from '../../dev/demo-rules.ts';
import { parseConfig } from '../../src/config.ts';

const known = new Set(documentedVars().map((v) => v.name));
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchback-devvars-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the documented variables', () => {
  it('cover every name the worker configuration parser reads (all optional branches on)', async () => {
    const vars = {
      ...gatewayVars({ publicUrl: 'http://127.0.0.1:1', originUrl: 'http://127.0.0.1:2', auth0Issuer: 'http://127.0.0.1:3/', olympusIssuer: 'http://127.0.0.1:4', olympusUrl: 'http://127.0.0.1:4', secrets: await generateSecrets() }),
      ROLLBACK_RULES: DEMO_ROLLBACK_RULES,
      AUTH0_MGMT_CLIENT_ID: 'm',
      AUTH0_MGMT_CLIENT_SECRET: 's',
      AUTH0_CONNECTION: 'Username-Password-Authentication',
      AUTH0_DOMAIN: 'tenant.example.com',
      KRATOS_ADMIN_URL: 'http://127.0.0.1:5',
      CF_ACCESS_TEAM_DOMAIN: 'https://team.cloudflareaccess.com',
      CF_ACCESS_AUD: 'aud',
      NOTIFY_EMAIL_FROM: 'a@example.com',
      NOTIFY_EMAIL_TO: 'b@example.com',
      PASSWORD_HOOK_API_KEY: 'k'.repeat(32),
    };
    const read = new Set<string>();
    const recording = new Proxy(vars as Record<string, unknown>, {
      get: (t, k) => (typeof k === 'string' && read.add(k), t[k as string]),
      has: (t, k) => (typeof k === 'string' && read.add(k), k in t),
    });
    await parseConfig(recording);
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('collectDevVars', () => {
  it('takes the alias over the environment over the file, and only documented names', async () => {
    await writeFile(join(root, '.dev.vars'), "TOKEN_OVERLAP_SECONDS=1\nSESSION_TTL_SECONDS=2\nROLLBACK_RULES='{\"rollback_if\": []}'\nDATABASE_URL=x\n");
    const env = { PATH: '/bin', HOME: '/home/x', TOKEN_OVERLAP_SECONDS: '10', SESSION_TTL_SECONDS: '20', SWITCHBACK_VAR_SESSION_TTL_SECONDS: '200', SWITCHBACK_VAR_TYPO_NAME: 'y' };
    const got = collectDevVars({ env, known, root });
    expect(got.vars).toEqual({ TOKEN_OVERLAP_SECONDS: '10', SESSION_TTL_SECONDS: '200', ROLLBACK_RULES: '{"rollback_if": []}' });
    expect(got.sources).toEqual({ TOKEN_OVERLAP_SECONDS: 'environment', SESSION_TTL_SECONDS: 'SWITCHBACK_VAR_SESSION_TTL_SECONDS', ROLLBACK_RULES: '.dev.vars' });
    expect(got.ignored).toEqual(['DATABASE_URL (.dev.vars)', 'TYPO_NAME (SWITCHBACK_VAR_TYPO_NAME)']);
  });

  it('reads .env only when there is no .dev.vars (wrangler\'s rule), and an explicit file instead of both', async () => {
    await writeFile(join(root, '.env'), 'TOKEN_OVERLAP_SECONDS=7\n');
    expect(collectDevVars({ env: {}, known, root }).vars).toEqual({ TOKEN_OVERLAP_SECONDS: '7' });
    await writeFile(join(root, '.dev.vars'), 'SESSION_TTL_SECONDS=8\n');
    expect(collectDevVars({ env: {}, known, root }).vars).toEqual({ SESSION_TTL_SECONDS: '8' });
    const other = join(root, 'other.vars');
    await writeFile(other, 'MAX_TOKEN_BYTES=9\n');
    expect(collectDevVars({ env: {}, known, root, file: other }).vars).toEqual({ MAX_TOKEN_BYTES: '9' });
    expect(() => collectDevVars({ env: {}, known, root, file: join(root, 'missing') })).toThrow(/no such file/);
  });
});
