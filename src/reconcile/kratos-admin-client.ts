/**
 * Reads Olympus identities from the Kratos admin API: `GET /admin/identities`
 * pages with `page_size` and `page_token`, the next page announced in the
 * `Link` header (rel="next"). Kratos has no created_at filter, so the caller
 * pages through and filters. The admin API is firewalled and unauthenticated:
 * this runs where it can reach it, with optional headers for a protecting
 * proxy. Also reads the courier's sent messages for a recipient.
 */
import { isKratosIdentity, type KratosIdentity } from './kratos-identity.ts';
import { SwitchbackError } from '../core/errors.ts';

export class KratosAdminError extends SwitchbackError {
  readonly code = 'ERR_KRATOS_ADMIN';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface KratosPage {
  identities: KratosIdentity[];
  /** Token of the next page, absent on the last one. */
  next: string | undefined;
}

export interface CourierMessage {
  id: string;
  recipient: string;
  status: string;
  template_type?: string;
  created_at: string;
}

export function nextPageToken(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) return new URL(m[1]!, 'http://kratos.invalid').searchParams.get('page_token') ?? undefined;
  }
  return undefined;
}

export class KratosAdminClient {
  private readonly base: string;
  constructor(
    adminUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly maxRetries = 4,
  ) {
    this.base = adminUrl.replace(/\/+$/, '');
  }

  private async get(path: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, { headers: { accept: 'application/json', ...this.headers }, signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        if (attempt >= this.maxRetries) throw new KratosAdminError(`Kratos admin API unreachable at ${this.base} (KRATOS_ADMIN_URL): ${err instanceof Error ? err.message : String(err)}`, 0);
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      if ((res.status >= 500 || res.status === 429) && attempt < this.maxRetries) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      return res;
    }
  }

  /** Checks reachability before any write. */
  async probe(): Promise<void> {
    const res = await this.get('/admin/identities?page_size=1');
    if (!res.ok) throw new KratosAdminError(`Kratos admin API at ${this.base} answered HTTP ${res.status} to GET /admin/identities`, res.status);
    await res.body?.cancel();
  }

  async page(pageSize: number, pageToken: string | undefined): Promise<KratosPage> {
    const q = new URLSearchParams({ page_size: String(pageSize), include_credential: 'password' });
    if (pageToken) q.set('page_token', pageToken);
    const res = await this.get(`/admin/identities?${q}`);
    if (!res.ok) throw new KratosAdminError(`GET /admin/identities answered HTTP ${res.status}`, res.status);
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new KratosAdminError('GET /admin/identities did not return a JSON array', res.status);
    const identities = body.filter(isKratosIdentity);
    if (identities.length !== body.length) throw new KratosAdminError(`${body.length - identities.length} identities on this page lack id, created_at or traits`, res.status);
    return { identities, next: nextPageToken(res.headers.get('link')) };
  }

  /**
   * Identities by id (Kratos' `ids` filter), with their password hashes;
   * absent ids are simply missing. 100 ids a request: 500 would make a
   * ~19 KB query string, over common servers' 8-16 KB header limits.
   */
  async byIds(ids: readonly string[]): Promise<KratosIdentity[]> {
    if (ids.length === 0) return [];
    if (ids.length > 100) {
      const out: KratosIdentity[] = [];
      for (let i = 0; i < ids.length; i += 100) out.push(...(await this.byIds(ids.slice(i, i + 100))));
      return out;
    }
    const q = new URLSearchParams({ page_size: String(Math.min(500, ids.length)), include_credential: 'password' });
    for (const id of ids) q.append('ids', id);
    const res = await this.get(`/admin/identities?${q}`);
    if (!res.ok) throw new KratosAdminError(`GET /admin/identities?ids= answered HTTP ${res.status}`, res.status);
    const body = (await res.json()) as unknown;
    if (!Array.isArray(body)) throw new KratosAdminError('GET /admin/identities did not return a JSON array', res.status);
    return body.filter(isKratosIdentity);
  }

  async courierMessages(recipient: string): Promise<CourierMessage[]> {
    const res = await this.get(`/admin/courier/messages?recipient=${encodeURIComponent(recipient)}`);
    if (!res.ok) throw new KratosAdminError(`GET /admin/courier/messages answered HTTP ${res.status}`, res.status);
    const body = (await res.json()) as unknown;
    return Array.isArray(body) ? (body as CourierMessage[]) : [];
  }
}
