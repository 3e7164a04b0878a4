/** The configuration `npm start` builds for the local stack passes the worker's own parser (token binding included). */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { gatewayVars, generateSecrets, readWranglerVars } from '../../dev/gateway-vars.ts';
import { parseConfig } from '../../src/config.ts';

describe('the local stack configuration', () => {
  it('parses, with every provider bound to this gateway', async () => {
    const vars = {
      ...(await readWranglerVars(fileURLToPath(new URL('../../wrangler.toml', import.meta.url)))),
      ...gatewayVars({
        publicUrl: 'http://127.0.0.1:8787',
        originUrl: 'http://127.0.0.1:9000',
        auth0Issuer: 'http://127.0.0.1:9001/',
        olympusIssuer: 'http://127.0.0.1:9002',
        olympusUrl: 'http://127.0.0.1:9003',
        secrets: await generateSecrets(),
      }),
    };
    const config = parseConfig(vars);
    expect(config.providers.auth0.tokenBinding).toBe('audience');
    expect(config.providers.olympus.tokenBinding).toBe('client');
  });
});
