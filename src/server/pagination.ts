/** Polyaxon's page size (LimitOffsetPagination default). */
export const PAGE_SIZE = 20;
/** Largest `limit` a caller may ask for (the dashboard reads metrics in pages this big). */
export const MAX_PAGE_SIZE = 1000;

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
export function pageWindow(
  count: number,
  query: URLSearchParams,
  pageUrl: string,
): Omit<Page<never>, 'results'> & { offset: number; limit: number } {
  const limit = clampInteger(query.get('limit'), PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const offset = clampInteger(query.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
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

/** A non-negative integer query parameter; anything unreadable gives the default, as in DRF. */
function clampInteger(text: string | null, fallback: number, min: number, max: number): number {
  if (text === null || !/^\d+$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}
