/**
 * Generates the gateway's secrets for a deployment: the ES256 signing key
 * for X-Auth-Assertion (GATEWAY_SIGNING_KEY), a SESSION_SECRET, and one admin
 * API token with its hashed ADMIN_TOKENS entry. Prints them once; nothing is
 * written to disk.
 *
 *   npm run keygen -- --admin-name alice --admin-role oncall
 */
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const role = arg('admin-role', 'eng-lead');
// mirror: switchback mirror's heartbeat token, which can do nothing else (src/admin/admin-role.ts).
if (!['viewer', 'oncall', 'eng-lead', 'mirror'].includes(role)) {
  console.error('--admin-role must be viewer, oncall, eng-lead or mirror');
  process.exit(2);
}
const name = arg('admin-name', 'admin');
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: `switchback-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`, alg: 'ES256' };
const adminToken = `sbk_${randomBytes(32).toString('base64url')}`;
const entry = { name, role, sha256: createHash('sha256').update(adminToken).digest('hex') };

console.log(`# Set each with: npx wrangler secret put <NAME>  (paste the value)
GATEWAY_SIGNING_KEY=${JSON.stringify(jwk)}
SESSION_SECRET=${randomBytes(32).toString('base64url')}
ADMIN_TOKENS=${JSON.stringify([entry])}

# The admin token itself (give it to ${name}; only its hash is stored):
${adminToken}`);
