/**
 * The parts of the demo story that run in-process: passwords are checked
 * against the stored hash (never against anything else), a sign-up through
 * the Olympus stand-in stores a Kratos identity and runs the after-
 * registration hook without handing it the hash, the Auth0 login checks the
 * Management API stand-in's credentials, reset tickets are single use, and
 * the mail catcher shows what it received as text, never as markup.
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createAuth0App } from '../../dev/auth0-api/index.ts';
import { credentialMatches, seedLoginUsers, tenantDirectory } from '../../dev/auth0-api/login-directory.ts';
import { ResetTickets } from '../../dev/auth0-api/reset-tickets.ts';
import { hashPassword, identityFor, KratosIdentityDirectory } from '../../dev/kratos-admin/identity-directory.ts';
import type { KratosIdentity } from '../../dev/kratos-admin/index.ts';
import { pbkdf2Sha256, verifyPbkdf2 } from '../../dev/kratos-admin/kratos-hashes.ts';
import { registrationWebHook, type WebHookDelivery } from '../../dev/kratos-admin/registration-webhook.ts';
import { createMailCatcherApp } from '../../dev/mail-catcher/index.ts';
import { linkify } from '../../dev/mail-catcher/pages.ts';

describe('password hashes', () => {
  it('verifyPbkdf2 accepts the password only, in Kratos format, and refuses formats it cannot check', () => {
    const hash = hashPassword('right-pass');
    expect(hash).toMatch(/^\$pbkdf2-sha256\$i=\d+,l=32\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(verifyPbkdf2(hash, 'right-pass')).toBe(true);
    expect(verifyPbkdf2(hash, 'wrong-pass')).toBe(false);
    expect(verifyPbkdf2(pbkdf2Sha256('x', Buffer.alloc(16, 1), 1000), 'x')).toBe(true);
    expect(verifyPbkdf2(`$2a$12$${'a'.repeat(53)}`, 'anything')).toBe(false);
    expect(verifyPbkdf2('$pbkdf2-sha256$i=0,l=32$AAAA$AAAA', '')).toBe(false);
    expect(verifyPbkdf2('', '')).toBe(false);
  });

  it('the Auth0 credential check follows what the tenant stores', () => {
    const hash = hashPassword('carried');
    expect(credentialMatches({ kind: 'custom_password_hash', custom: { algorithm: 'pbkdf2', hash: { value: hash, encoding: 'utf8' } } }, 'carried')).toBe(true);
    expect(credentialMatches({ kind: 'custom_password_hash', custom: { algorithm: 'pbkdf2', hash: { value: hash, encoding: 'utf8' } } }, 'other')).toBe(false);
    expect(credentialMatches({ kind: 'custom_password_hash', custom: { algorithm: 'md5', hash: { value: hash } } }, 'carried')).toBe(false);
    expect(credentialMatches({ kind: 'password_hash', hash: `$2b$10$${'a'.repeat(53)}` }, 'carried')).toBe(false);
    expect(credentialMatches({ kind: 'password', password: 'plain' }, 'plain')).toBe(true);
    expect(credentialMatches({ kind: 'password', password: 'plain' }, 'plain ')).toBe(false);
    expect(credentialMatches(undefined, '')).toBe(false);
  });
});

describe('Olympus users as Kratos identities', () => {
  it('a sign-up stores the identity with its hash, then runs the after-registration hook', async () => {
    const identities = new Map<string, KratosIdentity>();
    const seen: KratosIdentity[] = [];
    const dir = new KratosIdentityDirectory(identities, { afterRegistration: async (i) => void seen.push(i) });
    const claims = await dir.signUp({ email: ' New@Example.com ', password: 'pw-1', given_name: 'New', family_name: 'Person' });
    expect(claims).toMatchObject({ email: 'new@example.com', email_verified: false, name: 'New Person' });
    const stored = identities.get(claims.sub)!;
    expect(stored.credentials?.password?.identifiers).toEqual(['new@example.com']);
    expect(seen.map((i) => i.id)).toEqual([claims.sub]);
    expect((await dir.verify('NEW@example.com', 'pw-1'))?.sub).toBe(claims.sub);
    expect(await dir.verify('new@example.com', 'pw-2')).toBeUndefined();
    await expect(dir.signUp({ email: 'new@example.com', password: 'x', given_name: 'A', family_name: 'B' })).rejects.toThrow(/exists already/);
    stored.state = 'inactive';
    expect(await dir.verify('new@example.com', 'pw-1')).toBeUndefined();
  });

  it('an identity imported without a hash signs in through the password migration hook, once; then its new hash', async () => {
    const identity = identityFor({ sub: '5d0c2b6e-8f1a-4c3b-9a7e-2b1c0d9e8f7a', email: 'imp@example.com', password: 'unused', given_name: 'I', family_name: 'M' });
    identity.credentials!.password!.config = { use_password_migration_hook: true };
    const asked: string[] = [];
    const withHook = new KratosIdentityDirectory(new Map([[identity.id, identity]]), {
      passwordMigration: async (_i, password) => (asked.push(password), password === 'legacy-pass'),
    });
    expect(await withHook.verify('imp@example.com', 'wrong')).toBeUndefined();
    expect(identity.credentials!.password!.config).toEqual({ use_password_migration_hook: true });
    expect((await withHook.verify('imp@example.com', 'legacy-pass'))?.sub).toBe(identity.id);
    expect(identity.credentials!.password!.config).toEqual({ hashed_password: expect.stringMatching(/^\$pbkdf2-sha256\$/) });
    expect(await withHook.verify('imp@example.com', 'legacy-pass')).toBeDefined();
    expect(asked).toEqual(['wrong', 'legacy-pass']);

    const flagged = identityFor({ sub: '6e1d3c7f-9a2b-4d4c-8b8f-3c2d1e0f9a8b', email: 'nohook@example.com', password: 'unused', given_name: 'N', family_name: 'H' });
    flagged.credentials!.password!.config = { use_password_migration_hook: true };
    expect(await new KratosIdentityDirectory(new Map([[flagged.id, flagged]])).verify('nohook@example.com', '')).toBeUndefined();
  });

  it('the web hook posts {identity} with the token and without credentials', async () => {
    const received: Array<{ auth: string | undefined; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body });
        res.writeHead(201).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const deliveries: WebHookDelivery[] = [];
    try {
      const hook = registrationWebHook({ url: `http://127.0.0.1:${port}/hook`, token: () => 'khk_secret', kratosUrl: 'http://kratos.test' }, deliveries);
      const identity = identityFor({ sub: '0b8e8f3a-3c55-4a3e-9d0e-1f2a3b4c5d6e', email: 'h@example.com', password: 'pw', given_name: 'H', family_name: 'K' });
      await hook(identity);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(received).toHaveLength(1);
    expect(received[0]!.auth).toBe('khk_secret');
    const body = JSON.parse(received[0]!.body) as { identity: Record<string, unknown> };
    expect(body.identity).toMatchObject({ id: '0b8e8f3a-3c55-4a3e-9d0e-1f2a3b4c5d6e', traits: { email: 'h@example.com' } });
    expect(body.identity).not.toHaveProperty('credentials');
    expect(received[0]!.body).not.toContain('pbkdf2');
    expect(deliveries.map((d) => d.status)).toEqual([201]);
  });
});

describe('Auth0 login from the Management API users, and reset tickets', () => {
  it('signs in seeded and imported users with what the tenant stores; a ticket sets a new password once', async () => {
    const { tenant } = createAuth0App('http://auth0.test', { rateLimit: false });
    try {
      seedLoginUsers(tenant, [{ sub: 'auth0|alice', email: 'alice@example.com', password: 'alice-pass', given_name: 'Alice', family_name: 'A' }]);
      const dir = tenantDirectory(tenant);
      expect((await dir.verify('alice@example.com', 'alice-pass'))?.sub).toBe('auth0|alice');
      expect(await dir.verify('alice@example.com', 'nope')).toBeUndefined();
      const imported = tenant.seedUser({ email: 'erin@example.com' }, { kind: 'custom_password_hash', custom: { algorithm: 'pbkdf2', hash: { value: hashPassword('from-olympus'), encoding: 'utf8' } } });
      expect((await dir.verify('erin@example.com', 'from-olympus'))?.sub).toBe(imported.profile.user_id);

      const tickets = new ResetTickets({ users: tenant.users, connection: tenant.connection, url: 'http://auth0.test' }, 'app');
      const ticket = tickets.mint({ kind: 'password_reset', to: 'erin@example.com', user_id: imported.profile.user_id, at: '' });
      expect(tickets.ticketEmail(ticket)).toBe('erin@example.com');
      expect(tickets.complete(ticket, 'weak')).toEqual({ ok: false, error: 'PasswordStrengthError: Password is too weak' });
      expect(tickets.complete(ticket, 'New-pass-42')).toEqual({ ok: true });
      expect(tickets.complete(ticket, 'Other-pass-43').ok).toBe(false);
      expect(tickets.ticketEmail('made-up')).toBeUndefined();
      expect(await dir.verify('erin@example.com', 'from-olympus')).toBeUndefined();
      expect((await dir.verify('erin@example.com', 'New-pass-42'))?.sub).toBe(imported.profile.user_id);
    } finally {
      tenant.stop();
    }
  });
});

describe('mail catcher', () => {
  it('shows messages as escaped text with http(s) links only, and refuses malformed posts', async () => {
    const { app } = createMailCatcherApp();
    const post = (path: string, body: unknown) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/messages', { to: 'x@example.com' })).status).toBe(400);
    expect((await post('/api/messages', ['not', 'an', 'object'])).status).toBe(400);
    expect((await app.request('/api/messages', { method: 'POST', body: '{oops' })).status).toBe(400);
    expect((await post('/hooks/switchback', { schema: 'other' })).status).toBe(400);
    expect((await app.request('/api/messages', { method: 'POST', body: 'x'.repeat(300 * 1024) })).status).toBe(413);

    const created = await post('/api/messages', { from: 'a@example.com', to: 'b@example.com', subject: '<script>alert(1)</script>', text: 'go https://ok.test/x?a=1&b=2 not javascript:alert(1) "q"' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const inbox = await (await app.request('/')).text();
    expect(inbox).not.toContain('<script>alert');
    expect(inbox).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const page = await (await app.request(`/messages/${id}`)).text();
    expect(page).toContain('<a href="https://ok.test/x?a=1&amp;b=2">https://ok.test/x?a=1&amp;b=2</a>');
    expect(page).not.toContain('href="javascript:');
    expect((await app.request('/messages/999')).status).toBe(404);

    const note = await post('/hooks/switchback', { schema: 'switchback.notification.v1', type: 'rollback.completed', text: 'switchback rollback.completed: x' });
    expect(note.status).toBe(201);
    const list = (await (await app.request('/api/messages')).json()) as Array<{ subject: string; source: string }>;
    expect(list[0]).toMatchObject({ subject: 'Rollback complete. Auth0 is primary again.', source: 'switchback' });
  });

  it('linkify escapes around links', () => {
    expect(linkify('<b>http://a.test/"x</b>')).toBe('&lt;b&gt;<a href="http://a.test/">http://a.test/</a>&quot;x&lt;/b&gt;');
  });
});
