/** Polyaxon's page size (LimitOffsetPagination default). */
export const PAGE_SIZE = 20;
/** Largest `limit` a caller may ask for of the lists kept in memory (experiments, statuses, projects). */
export const MAX_PAGE_SIZE = 1000;
/** Polyaxon's metrics page (api/paginator.py LargeLimitOffsetPagination.default_limit). */
export const LARGE_PAGE_SIZE = 300_000;

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * One page of `items` for `?offset=N[&limit=M]`, with `next`/`previous` as absolute URLs that keep
 * the other query parameters (DRF's LimitOffsetPagination answers the same way).
 */
export function paginate<T>(items: readonly T[], query: URLSearchParams, pageUrl: string): Page<T> {
  const window = pageWindow(items.length, query, pageUrl);
  return { count: window.count, next: window.next, previous: window.previous, results: items.slice(window.offset, window.offset + window.limit) };
}

/** The page `?offset=N[&limit=M]` asks for out of `count` items, for stores that read only that slice. */
export function pageWindow(count: number, query: URLSearchParams, pageUrl: string): PageWindow {
  return windowOf(count, query, pageUrl, PAGE_SIZE, MAX_PAGE_SIZE);
}

/**
 * The metrics page: LargeLimitOffsetPagination, 300,000 points unless `limit` asks otherwise, and
 * no maximum (DRF's `max_limit = None`); the store reads only the page's rows.
 */
export function largePageWindow(count: number, query: URLSearchParams, pageUrl: string): PageWindow {
  return windowOf(count, query, pageUrl, LARGE_PAGE_SIZE, Number.MAX_SAFE_INTEGER);
}

type PageWindow = Omit<Page<never>, 'results'> & { offset: number; limit: number };

function windowOf(count: number, query: URLSearchParams, pageUrl: string, defaultLimit: number, maxLimit: number): PageWindow {
  // DRF's _positive_int(limit, strict=True): 0 or anything unreadable means the default.
  const limit = Math.min(maxLimit, positiveInteger(query.get('limit')) || defaultLimit);
  const offset = positiveInteger(query.get('offset'));
  const linkTo = (nextOffset: number) => {
    const params = new URLSearchParams(query);
    if (nextOffset > 0) params.set('offset', String(nextOffset));
    else params.delete('offset');
    const search = params.toString();
    return search ? `${pageUrl}?${search}` : pageUrl;
  };
  return {
    count,
    next: offset + limit < count ? linkTo(offset + limit) : null,
    previous: offset > 0 ? linkTo(Math.max(0, offset - limit)) : null,
    offset,
    limit,
  };
}

/** A non-negative integer query parameter; 0 for anything unreadable, as in DRF. */
function positiveInteger(text: string | null): number {
  if (text === null || !/^\d+$/.test(text)) return 0;
  return Math.min(Number.MAX_SAFE_INTEGER, Number(text));
}
