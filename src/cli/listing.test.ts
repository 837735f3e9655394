import { describe, expect, it } from 'vitest';
import { FakeApi } from '../../test/cli/fake-api.js';
import { CliError } from './errors.js';
import { ApiClient } from './http-client.js';
import { buildQuery, commaLists, fetchCollection, formatDict, rowOf, showColumns, sortItems } from './listing.js';

describe('buildQuery', () => {
  it.each<[Array<[string, string | number | boolean | undefined]>, string]>([
    [[], ''],
    [[['a', undefined]], ''],
    [[['limit', 5], ['associated', true], ['maintenance', false]], '?limit=5&associated=True&maintenance=False'],
    [[['fields', 'uuid,name'], ['provision_state', 'deploy failed']], '?fields=uuid,name&provision_state=deploy%20failed'],
    [[['conductor_group', '']], '?conductor_group='],
  ])('%j -> %s', (params, expected) => {
    expect(buildQuery(params)).toBe(expected);
  });
});

describe('sortItems (--sort key[:dir],...)', () => {
  const items = [
    { name: 'b', n: 2, s: 'x' },
    { name: 'a', n: 2, s: 'y' },
    { name: 'c', n: 1, s: 'x' },
  ];
  it.each<[string | undefined, string[]]>([
    [undefined, ['b', 'a', 'c']],
    ['name', ['a', 'b', 'c']],
    ['name:desc', ['c', 'b', 'a']],
    ['n,name', ['c', 'a', 'b']],
    ['n:desc,name:desc', ['b', 'a', 'c']],
    ['s,n:desc', ['b', 'c', 'a']],
  ])('%s', (spec, expected) => {
    expect(sortItems(items, spec).map((i) => i.name)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['bogus', "Resource doesn't have field bogus"],
    ['name:up', "'up' is not a valid sort direction for sort key name, use 'asc' or 'desc' instead"],
    [':asc', "'<empty string>'' is not a valid sort key"],
  ])('rejects %s', (spec, message) => {
    expect(() => sortItems(items, spec)).toThrow(new CliError(message));
  });
});

describe('row and object helpers', () => {
  it('rowOf shows absent fields as empty strings and applies formatters', () => {
    expect(rowOf({ a: 1, extra: { k: 'v' } }, ['a', 'missing', 'extra'], { extra: formatDict })).toEqual([1, '', "k='v'"]);
  });

  it("formatDict flattens like osc-lib's format_dict", () => {
    expect(formatDict({ b: 1, a: { c: 'x', d: null }, e: true })).toBe("a.c='x', a.d=, b='1', e='True'");
  });

  it('commaLists joins list values', () => {
    expect(commaLists({ hosts: ['h1', 'h2'], name: 'ipmi' })).toEqual({ hosts: 'h1, h2', name: 'ipmi' });
  });

  it('showColumns sorts keys and drops hidden ones', () => {
    expect(showColumns({ uuid: 'u', links: [], address: 'm' }, ['links'])).toEqual([['address', 'uuid'], ['m', 'u']]);
  });
});

describe('fetchCollection', () => {
  const client = (api: FakeApi): ApiClient =>
    new ApiClient({ endpoint: 'http://h:6385', apiVersion: 'latest', fetch: api.fetch, log: { error: () => undefined } });

  it('stops when a next link points back to a page already read', async () => {
    const api = new FakeApi().on('GET', '/v1/ports', {
      status: 200,
      body: { ports: [{ uuid: 'p1' }], next: 'http://h:6385/v1/ports' },
    });
    expect(await fetchCollection(client(api), '/v1/ports', 'ports', undefined)).toEqual([{ uuid: 'p1' }]);
    expect(api.requests).toHaveLength(1);
  });

  it('follows next links across pages', async () => {
    const api = new FakeApi()
      .on('GET', '/v1/chassis', { status: 200, body: { chassis: [{ uuid: 'c1' }], next: 'http://h:6385/v1/chassis?marker=c1' } })
      .on('GET', '/v1/chassis?marker=c1', { status: 200, body: { chassis: [] } });
    expect(await fetchCollection(client(api), '/v1/chassis', 'chassis', 0)).toEqual([{ uuid: 'c1' }]);
  });
});
