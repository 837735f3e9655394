// Listing any table-backed collection the Ironic way: detail path or `detail=true`, `fields=`, limit/marker/
// sort, the `next` link, plus the small request checks every resource shares (version gates, identifiers).
import { InvalidParameterValueError, MethodNotAllowedError, NotAcceptableError, NotFoundError } from '../../common/errors.js';
import { MarkerNotFound, type Filter, type Repository } from '../../db/repository.js';
import type { Ctx } from '../context.js';
import { parseFieldsParam, parseSortKey } from '../fields.js';
import { nextLink, parsePage } from '../pagination.js';
import { boolParam } from '../request.js';
import { resourceView, type ResourceShape } from './resource-view.js';

/** Whether a list answers with full objects: the legacy `/detail` path or `?detail=true` (1.43). */
export function wantsDetail(c: Ctx, detailPath: boolean): boolean {
  const detailParam = boolParam(c, 'detail');
  if (detailParam !== undefined && c.get('minor') < 43) throw new NotAcceptableError('The detail parameter requires API version 1.43 or later.');
  if (detailPath && detailParam !== undefined) throw new InvalidParameterValueError('The detail parameter can not be used with the /detail path.');
  return detailPath || detailParam === true;
}

/** Resources newer than the request version do not exist for it (Ironic answers 404, not 406). */
export function requireVersion(c: Ctx, since: number): void {
  if (c.get('minor') < since) throw new NotFoundError('The resource could not be found.');
}

/**
 * The stricter gate of allocations and deploy templates: below `since` a GET is 404 but any other method is
 * 405, with Ironic's message (e.g. "The API version does not allow allocations").
 */
export function requireVersionByMethod(c: Ctx, since: number, message: string): void {
  if (c.get('minor') >= since) return;
  throw c.req.method === 'GET' || c.req.method === 'HEAD' ? new NotFoundError(message) : new MethodNotAllowedError(message);
}

export interface ListRequest<R extends { id: number }> {
  readonly shape: ResourceShape<R>;
  readonly repo: Repository<R>;
  readonly detailPath: boolean;
  /** Scope (e.g. the node of /nodes/{id}/ports) and query filters, already resolved. */
  readonly filters?: readonly Filter[];
  /** Path below /v1 that `next` points at, e.g. `ports` or `nodes/<uuid>/ports`; `/detail` is added for the detail path. */
  readonly path: string;
  /** A last pass over each entry's wire form (e.g. redaction by policy). */
  readonly present?: (wire: Record<string, unknown>) => Record<string, unknown>;
}

export async function listResources<R extends { id: number }>(c: Ctx, req: ListRequest<R>): Promise<Response> {
  const { shape } = req;
  const minor = c.get('minor');
  const detail = wantsDetail(c, req.detailPath);
  const fields = parseFieldsParam(c.req.query('fields'), shape.fields, minor, ['links', ...(shape.subresources ?? [])]);
  if (fields && detail) throw new InvalidParameterValueError('Can not specify ?detail=True and fields in the same request.');
  const page = parsePage(c);
  const sortKey = parseSortKey(page.sortKeyRaw, shape.fields, minor);
  let items: R[];
  try {
    items = await req.repo.list({ filters: req.filters, sortKey, sortDir: page.sortDir, limit: page.limit, marker: page.marker });
  } catch (err) {
    if (err instanceof MarkerNotFound) throw new InvalidParameterValueError(`The marker ${page.marker} could not be found.`);
    throw err;
  }
  const base = c.get('base');
  const body: Record<string, unknown> = {
    [shape.listKey ?? shape.collection]: items.map((r) => {
      const wire = resourceView(shape, r, { minor, base, fields, summary: !detail && !fields });
      return req.present ? req.present(wire) : wire;
    }),
  };
  const last = items.at(-1);
  const next = nextLink(c, req.detailPath ? `${req.path}/detail` : req.path, items.length, page, last === undefined ? undefined : shape.ident(last));
  if (next) body.next = next;
  return c.json(body);
}
