// limit / marker / sort_key / sort_dir and the `next` link of collections.
import { InvalidParameterValueError } from '../common/errors.js';
import type { Ctx } from './context.js';

export interface Page {
  readonly limit: number;
  readonly marker?: string;
  readonly sortDir: 'asc' | 'desc';
  readonly sortKeyRaw?: string;
}

export function parsePage(c: Ctx): Page {
  const max = c.get('deps').config.maxLimit;
  const rawLimit = c.req.query('limit');
  let limit = max;
  if (rawLimit !== undefined) {
    if (!/^-?\d+$/.test(rawLimit.trim())) throw new InvalidParameterValueError(`Invalid limit "${rawLimit}": it must be an integer.`);
    limit = Number(rawLimit);
    if (limit <= 0) throw new InvalidParameterValueError('Limit must be positive');
    limit = Math.min(limit, max);
  }
  const dir = (c.req.query('sort_dir') ?? 'asc').toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw new InvalidParameterValueError(`Invalid sort direction: ${dir}. Acceptable values are 'asc' or 'desc'`);
  const marker = c.req.query('marker');
  return { limit, marker: marker || undefined, sortDir: dir, sortKeyRaw: c.req.query('sort_key') };
}

/** `next` URL when the page is full: same path and query, with limit and marker of the last item. */
export function nextLink(c: Ctx, collectionPath: string, count: number, page: Page, lastMarker: string | undefined): string | undefined {
  if (count < page.limit || lastMarker === undefined) return undefined;
  const params = new URLSearchParams();
  const url = new URL(c.req.url);
  for (const [k, v] of url.searchParams) if (k !== 'limit' && k !== 'marker') params.append(k, v);
  params.set('limit', String(page.limit));
  params.set('marker', lastMarker);
  return `${c.get('base')}/v1/${collectionPath}?${params.toString()}`;
}
