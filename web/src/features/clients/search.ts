// The clients list and the address: the search and whether archived clients
// are shown live in the query string (?q=keller&archived=1), so a search can
// be bookmarked, shared and reloaded, and Back undoes it.

export interface ClientsSearch {
  /** Part of the name or e-mail (the API's `search`). */
  q: string;
  /** Archived (and erased) clients too. */
  archived: boolean;
}

export const noSearch: ClientsSearch = { q: '', archived: false };

/** The search an address holds. */
export function searchFromAddress(params: URLSearchParams): ClientsSearch {
  const archived = params.get('archived');
  return { q: (params.get('q') ?? '').trim(), archived: archived === '1' || archived === 'true' };
}

/** The address's query string for a search (empty parts left out). */
export function addressFromSearch(search: ClientsSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.q.trim()) params.set('q', search.q.trim());
  if (search.archived) params.set('archived', '1');
  return params;
}

/** Whether anything narrows or widens the list. */
export function isSearching(search: ClientsSearch): boolean {
  return search.q.trim() !== '';
}

/** The list query's variables. */
export function listVariables(search: ClientsSearch, first: number, after: string | null = null) {
  const q = search.q.trim();
  return { search: q || null, includeArchived: search.archived, first, after };
}
