/**
 * Contract tests for GET /admin/courier/messages on the Kratos stand-in:
 * recipient/status filters, newest first, X-Total-Count, keyset pagination and
 * body redaction outside dev mode.
 */
import { afterEach, expect, it } from 'vitest';
import { startKratosAdmin, type KratosAdminHandle } from '../../dev/kratos-admin/index.ts';

let kratos: KratosAdminHandle | undefined;
afterEach(async () => {
  await kratos?.stop();
  kratos = undefined;
});

it('filters by recipient and status, newest first, with bodies redacted', async () => {
  kratos = await startKratosAdmin();
  kratos.addCourierMessage({ recipient: 'a@example.test', created_at: '2025-01-01T10:00:00.000Z' });
  kratos.addCourierMessage({ recipient: 'a@example.test', template_type: 'verification_code_valid', status: 'queued', created_at: '2025-01-01T11:00:00.000Z' });
  kratos.addCourierMessage({ recipient: 'b@example.test', created_at: '2025-01-01T12:00:00.000Z' });

  const res = await fetch(`${kratos.url}/admin/courier/messages?recipient=a%40example.test`);
  expect(res.status).toBe(200);
  expect(res.headers.get('x-total-count')).toBe('2');
  const body = (await res.json()) as Array<Record<string, unknown>>;
  expect(body.map((m) => m.template_type)).toEqual(['verification_code_valid', 'recovery_code_valid']);
  expect(body[1]).toMatchObject({ recipient: 'a@example.test', type: 'email', status: 'sent', send_count: 1, body: '<redacted-unless-dev-mode>' });
  expect(Object.keys(body[1]!).sort()).toEqual(
    ['body', 'created_at', 'id', 'recipient', 'send_count', 'status', 'subject', 'template_type', 'type', 'updated_at'].sort(),
  );

  const queued = (await (await fetch(`${kratos.url}/admin/courier/messages?status=queued`)).json()) as unknown[];
  expect(queued).toHaveLength(1);
  const bad = await fetch(`${kratos.url}/admin/courier/messages?status=delivered`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as any).error.reason).toBe('Message status is not valid');
});

it('paginates with page_size and the Link header', async () => {
  kratos = await startKratosAdmin({ courierDevMode: true });
  for (let i = 0; i < 5; i++) kratos.addCourierMessage({ recipient: 'c@example.test', body: `code ${i}`, created_at: `2025-01-0${i + 1}T00:00:00.000Z` });
  const seen: string[] = [];
  let next: string | undefined = '/admin/courier/messages?page_size=2';
  while (next) {
    const res: Response = await fetch(new URL(next, kratos.url));
    seen.push(...((await res.json()) as Array<{ body: string }>).map((m) => m.body));
    next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  expect(seen).toEqual(['code 4', 'code 3', 'code 2', 'code 1', 'code 0']);
});
