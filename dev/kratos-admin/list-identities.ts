// GET /admin/identities as Kratos implements it (identity/handler.go list +
// persister ListIdentities): ordered by id ascending, keyset-paginated, with
// the filters ids / credentials_identifier / preview_credentials_identifier_similar
// / organization_id (at most one: "You cannot combine multiple filters in this
// API") and include_credential. There is no created_at filter in Kratos, so
// callers must walk every page.
import { isCredentialType, type CredentialType, type KratosIdentity } from './identity-types.ts';
import { identityView } from './identity-view.ts';
import { badRequest } from './kratos-error.ts';
import { decodePageToken, encodePageToken, linkHeader, parsePageSize, type LinkStyle } from './keyset-page.ts';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_IDS = 500;

export interface ListIdentitiesOptions {
  baseUrl: string;
  pageSizeMax: number;
  linkStyle: LinkStyle;
}

export interface ListResult {
  body: unknown[];
  link: string;
}

/** Lowercases and trims like Kratos does for email-like identifiers. */
function normalizeIdentifier(value: string): string {
  return value.trim().toLowerCase();
}

function identifiersOf(identity: KratosIdentity): string[] {
  return Object.values(identity.credentials ?? {}).flatMap((c) => c?.identifiers ?? []);
}

interface Filter {
  test: (identity: KratosIdentity) => boolean;
  loadsCredentials: boolean;
}

function parseFilters(q: URLSearchParams): Filter | undefined {
  const filters: Filter[] = [];
  const ids = q.getAll('ids').filter((v) => v !== '');
  if (ids.length > 0) {
    if (ids.length > MAX_IDS) throw badRequest(`The ids filter accepts at most ${MAX_IDS} ids.`);
    const set = new Set(ids.map((v) => v.toLowerCase()));
    filters.push({ test: (i) => set.has(i.id), loadsCredentials: false });
  }
  const exact = q.get('credentials_identifier');
  if (exact) {
    const wanted = normalizeIdentifier(exact);
    filters.push({ test: (i) => identifiersOf(i).some((v) => normalizeIdentifier(v) === wanted), loadsCredentials: true });
  }
  const similar = q.get('preview_credentials_identifier_similar');
  if (similar) {
    const part = normalizeIdentifier(similar);
    filters.push({ test: (i) => identifiersOf(i).some((v) => normalizeIdentifier(v).includes(part)), loadsCredentials: true });
  }
  const org = q.get('organization_id');
  if (org) {
    if (!/^[0-9a-f-]{36}$/i.test(org)) throw badRequest(`Invalid UUID value \`${org}\` for parameter \`organization_id\`.`);
    filters.push({ test: (i) => i.organization_id === org, loadsCredentials: false });
  }
  if (filters.length > 1) throw badRequest('You cannot combine multiple filters in this API');
  return filters[0];
}

function parseDeclassify(q: URLSearchParams): CredentialType[] {
  return q.getAll('include_credential').map((v) => {
    if (!isCredentialType(v)) throw badRequest(`Invalid value \`${v}\` for parameter \`include_credential\`.`);
    return v;
  });
}

export function listIdentities(
  identities: Map<string, KratosIdentity>,
  requestUrl: URL,
  options: ListIdentitiesOptions,
): ListResult {
  const q = requestUrl.searchParams;
  const usesKeyset = q.has('page_token') || q.has('page_size');
  if (!usesKeyset && (q.has('page') || q.has('per_page'))) {
    throw badRequest(
      'Legacy page/per_page pagination is deprecated in Kratos and not offered by this stand-in. Use page_size and page_token (follow the Link header).',
    );
  }
  const filter = parseFilters(q);
  const declassify = parseDeclassify(q);
  const size = parsePageSize(q.get('page_size'), options.pageSizeMax);
  const firstToken = encodePageToken({ id: NIL_UUID });
  const after = q.has('page_token') ? decodePageToken(q.get('page_token') ?? '', ['id']).id! : NIL_UUID;
  if (!/^[0-9a-f-]{36}$/i.test(after)) throw badRequest('The page token is invalid, do not craft your own page tokens');

  const matching = [...identities.values()]
    .filter((i) => i.id > after.toLowerCase() && (!filter || filter.test(i)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = matching.slice(0, size);
  const hasMore = matching.length > size;
  const nextToken = hasMore ? encodePageToken({ id: page[page.length - 1]!.id }) : undefined;

  const load = declassify.length > 0 || (filter?.loadsCredentials ?? false);
  return {
    body: page.map((i) => identityView(i, options.baseUrl, { load, declassify })),
    link: linkHeader(requestUrl, options.linkStyle, size, firstToken, nextToken),
  };
}
