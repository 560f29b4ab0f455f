// GitHub's list paging: `per_page` (default 30, at most 100) and `page`, with a `Link` header whose
// relations appear only when they lead somewhere, in GitHub's order (prev, next, last, first).

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

export interface PageRequest {
  page: number;
  perPage: number;
}

export function pageRequest(query: URLSearchParams): PageRequest {
  return {
    page: positiveInt(query.get('page')) ?? 1,
    perPage: Math.min(positiveInt(query.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE),
  };
}

export interface Paged<T> {
  items: T[];
  link: string | undefined;
}

/**
 * One page of `all`. `linkBase` is the absolute URL, without query, that the Link header points at;
 * GitHub uses `/repositories/{id}/...` there rather than the owner/name path the client asked for.
 */
export function paginate<T>(all: readonly T[], query: URLSearchParams, linkBase: string): Paged<T> {
  const { page, perPage } = pageRequest(query);
  const start = (page - 1) * perPage;
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  return { items: all.slice(start, start + perPage), link: linkHeader(linkBase, query, page, lastPage) };
}

export function linkHeader(
  linkBase: string,
  query: URLSearchParams,
  page: number,
  lastPage: number,
): string | undefined {
  const rel: Array<[string, number]> = [];
  if (page > 1) rel.push(['prev', Math.min(page - 1, lastPage)]);
  if (page < lastPage) rel.push(['next', page + 1], ['last', lastPage]);
  if (page > 1) rel.push(['first', 1]);
  if (rel.length === 0) return undefined;
  return rel.map(([name, n]) => `<${pageUrl(linkBase, query, n)}>; rel="${name}"`).join(', ');
}

function pageUrl(linkBase: string, query: URLSearchParams, page: number): string {
  const params = new URLSearchParams(query);
  params.set('page', String(page));
  return `${linkBase}?${params.toString()}`;
}

function positiveInt(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}
