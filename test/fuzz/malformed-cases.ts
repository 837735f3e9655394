// Seeded generator of malformed requests against the Ironic v1 API. Every template builds a request that a
// correct server must refuse with a 4xx whatever the random choices are: broken JSON, wrong types, unknown or
// read-only fields, bad identifiers, duplicates, oversized bodies, wrong content types and methods, bad
// microversions. Requests aimed at existing objects (the baseline) are always invalid, so they must leave
// the store untouched. Same seed, same requests.
import type { RawRequest } from '../support/raw-http.js';

export interface Rng {
  float(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, good enough to spread test inputs. */
export function makeRng(seed: number): Rng {
  let s = seed >>> 0;
  const float = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(float() * n);
  return { float, int, pick: (items) => items[int(items.length)]!, chance: (p) => float() < p };
}

/** Objects that exist before the fuzzing starts. */
export interface Baseline {
  readonly nodes: readonly { uuid: string; name: string }[];
  readonly ports: readonly { uuid: string; address: string }[];
  readonly maxBodyBytes: number;
  /** Highest microversion the server advertises. */
  readonly maxMinor: number;
}

export interface FuzzRequest extends RawRequest {
  readonly label: string;
  /** A read-only request that is odd rather than wrong: any status but a 5xx is acceptable. */
  readonly mayPass?: boolean;
}

interface Draft {
  method: string;
  path: string;
  body?: Buffer | string | object;
  /** Header overrides; null removes a default. */
  headers?: Record<string, string | null>;
  chunked?: boolean;
  mayPass?: boolean;
  /** Microversion to send; undefined = a random valid one, null = no version header. */
  version?: string | null;
}

type Template = (r: Rng, b: Baseline) => Draft;

const hex = (r: Rng, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[r.int(16)]).join('');
const uuid = (r: Rng) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const mac = (r: Rng) => `52:54:00:${hex(r, 2)}:${hex(r, 2)}:${hex(r, 2)}`;
const word = (r: Rng) => `fz${hex(r, 6)}`;
const node = (r: Rng, b: Baseline) => r.pick(b.nodes);
const ident = (r: Rng, b: Baseline) => (r.chance(0.5) ? node(r, b).uuid : node(r, b).name);
const port = (r: Rng, b: Baseline) => (b.ports.length ? r.pick(b.ports) : { uuid: uuid(r), address: '52:54:00:00:00:01' });
const q = (params: Record<string, string>) => '?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');

const BAD_BYTES = [[0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]];
const WRONG_OBJECT_TOP = ['[]', '[{}]', '"str"', '42', 'null', 'true', '1e400', '""', '', '   ', '[{"driver":"fake-hardware"}]'];
const WRONG_PATCH_TOP = ['{}', 'null', '"x"', '42', '[]', '[1]', '[null]', '[[]]', '[{}]', '', '{"op":"add","path":"/extra/a","value":1}'];
const NOT_A_BOOL = ['maybe', 2, {}, [], 'yes please'];
const NOT_A_DICT = ['str', 1, [], true, [['a', 'b']]];
const BAD_NAMES = ['bad name', 'has/slash', '', 'x'.repeat(256), 'detail', 'validate', 'ünïcode', 'tab\there',
  '12345678-1234-1234-1234-123456789abc', 'nul\u0000'];
const BAD_MACS = ['zz:zz:zz:zz:zz:zz', '52:54:00:12:34', '52:54:00:12:34:56:78', '525400', '', 'not a mac', '52-54-00-12-34-5g', 123];
const BAD_VERSIONS = ['2.0', '0.9', '1.0', '1.9999', '1.100000', '1.-1', 'abc', '1.', '.1', '1.1.1', 'latest2', '1 .5', '1.5a',
  '99.1', '-1.5', '1.99999999999999999999', 'v1.5'];
const READ_ONLY_NODE_PATHS = ['/uuid', '/created_at', '/updated_at', '/provision_state', '/power_state', '/target_power_state',
  '/target_provision_state', '/reservation', '/conductor', '/driver_internal_info', '/last_error', '/console_enabled',
  '/inspection_started_at', '/allocation_uuid', '/raid_config', '/clean_step', '/traits', '/links', '/ports', '/fault',
  '/boot_mode', '/secure_boot', '/bogus_root', '/provision_updated_at'];
const BAD_PATHS = ['', '/', '//', 'extra', '/extra/', '/extra//a', '/ex tra', '/extra/a b', '/extra/%20', '/ä', 123, null, '/extra/a.b'];
const BAD_OPS = ['move', 'copy', 'test', 'ADD', 'Replace', '', null, 1, 'delete', 'merge'];

function deep(r: Rng, levels: number): string {
  return r.chance(0.5) ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

/** Turns a valid JSON text into one that no JSON parser may accept. */
function breakJson(r: Rng, text: string): Buffer {
  const at = 1 + text.indexOf('"');
  switch (r.int(8)) {
    case 0: return Buffer.from(text.slice(0, 1 + r.int(text.length - 1)));
    case 1: return Buffer.from(text + r.pick([' x', '}', ']', ',', '{}', ' null', '\u0000', '//c', ' 1']));
    case 2: return Buffer.from(text.replace('"', "'"));
    case 3: return Buffer.from(text.slice(0, at) + '\u0001' + text.slice(at));
    case 4: return Buffer.from(text.slice(0, at) + '\\x' + text.slice(at));
    case 5: return Buffer.concat([Buffer.from(text.slice(0, 1)), Buffer.from(r.pick(BAD_BYTES)), Buffer.from(text.slice(1))]);
    case 6: {
      const lit = r.pick(['NaN', 'Infinity', '-Infinity', 'undefined', '01', '.5', '0x1F', '+1', "'x'", 'tru', '-']);
      return Buffer.from(text[0] === '[' ? `[${lit},${text.slice(1)}` : `{"k":${lit},${text.slice(1)}`);
    }
    default: return Buffer.from(text.slice(0, 1) + r.pick(['(', ';', '=', '#']) + text.slice(1));
  }
}

const validNodeDoc = (r: Rng) => JSON.stringify({ driver: 'fake-hardware', name: word(r), extra: { k: word(r) } });
const validPatchDoc = (r: Rng) => JSON.stringify([{ op: 'add', path: `/extra/${word(r)}`, value: word(r) }]);
const validPortDoc = (r: Rng, b: Baseline) => JSON.stringify({ address: mac(r), node_uuid: node(r, b).uuid });
const withBadBytes = (r: Rng, before: string, after: string) => Buffer.concat([Buffer.from(before), Buffer.from(r.pick(BAD_BYTES)), Buffer.from(after)]);
const oversized = (r: Rng, b: Baseline) => JSON.stringify({ driver: 'fake-hardware', extra: { pad: 'x'.repeat(b.maxBodyBytes + 1 + r.int(3 * b.maxBodyBytes)) } });

const NODE_MISTYPED: [string, (r: Rng) => unknown][] = [
  ['driver_info', (r) => r.pick(NOT_A_DICT)], ['properties', (r) => r.pick(NOT_A_DICT)], ['extra', (r) => r.pick(NOT_A_DICT)],
  ['instance_info', (r) => r.pick(NOT_A_DICT)], ['network_data', (r) => r.pick(NOT_A_DICT)],
  ['maintenance', (r) => r.pick(NOT_A_BOOL)], ['retired', (r) => r.pick(NOT_A_BOOL)], ['automated_clean', (r) => r.pick(NOT_A_BOOL)],
  ['name', (r) => r.pick([...BAD_NAMES, 123, [], {}, true])], ['description', (r) => r.pick([123, [], 'x'.repeat(4097)])],
  ['resource_class', (r) => r.pick([1, 'x'.repeat(81), []])], ['instance_uuid', (r) => r.pick(['not-a-uuid', 123, 'g'.repeat(32)])],
  ['chassis_uuid', (r) => r.pick(['nope', 42, uuid(r)])], ['conductor_group', (r) => r.pick(['bad group!', 1, 'a/b'])],
  ['owner', (r) => r.pick([1, [], 'x'.repeat(256)])], ['lessee', (r) => r.pick([1, {}, 'x'.repeat(256)])],
  ['uuid', (r) => r.pick(['not-a-uuid', 123, '', 'x'.repeat(36)])], ['boot_interface', (r) => r.pick([123, 'no-such-boot', []])],
  ['power_interface', (r) => r.pick([false, 'no-such-power'])], ['shard', (r) => r.pick([1, 'x'.repeat(256)])],
  ['parent_node', () => 'x'.repeat(37)],
];

const NODE_READ_ONLY_CREATE = ['provision_state', 'power_state', 'created_at', 'updated_at', 'reservation', 'last_error',
  'driver_internal_info', 'console_enabled', 'target_power_state', 'inspection_started_at', 'drvier', 'Driver', 'bogus', ''];

/** A valid body that only a too-old microversion makes invalid: [field, value, version that lacks it]. */
const NODE_TOO_NEW: [string, unknown, number][] = [['name', 'fz-ok', 4], ['resource_class', 'rc', 20], ['owner', 'o', 49],
  ['description', 'd', 50], ['retired', true, 60], ['lessee', 'l', 64], ['network_data', { a: 1 }, 65], ['automated_clean', true, 46],
  ['boot_interface', 'fake', 30], ['conductor_group', 'g', 45]];

const NODE_LIST_BAD: (() => Record<string, string>)[] = [
  () => ({ limit: 'abc' }), () => ({ limit: '-1' }), () => ({ limit: '0' }), () => ({ limit: '1.5' }), () => ({ limit: '' }),
  () => ({ limit: '1e3' }), () => ({ limit: '0x10' }), () => ({ sort_dir: 'up' }), () => ({ sort_dir: '' }), () => ({ sort_dir: 'asc;' }),
  () => ({ sort_key: 'bogus' }), () => ({ sort_key: 'driver_info' }), () => ({ sort_key: 'properties' }), () => ({ sort_key: 'traits' }),
  () => ({ sort_key: '' }), () => ({ fields: 'bogus' }), () => ({ fields: 'uuid,bogus' }), () => ({ fields: ',,nope' }),
  () => ({ detail: 'maybe' }), () => ({ detail: '' }), () => ({ detail: 'true', fields: 'uuid' }), () => ({ marker: 'nope' }),
  () => ({ maintenance: 'perhaps' }), () => ({ associated: '2' }), () => ({ retired: 'x' }), () => ({ instance_uuid: 'nope' }),
  () => ({ limit: '\u00ff' }), () => ({ sharded: 'sometimes' }), () => ({ marker: '\u0000' }), () => ({ sort_key: 'name\u0000' }),
];

const NODE_LIST_TOO_NEW: [Record<string, string>, number][] = [[{ provision_state: 'enroll' }, 8], [{ driver: 'ipmi' }, 15],
  [{ resource_class: 'x' }, 20], [{ fault: 'power failure' }, 41], [{ conductor_group: 'g' }, 45], [{ owner: 'o' }, 49],
  [{ conductor: 'c' }, 48], [{ description_contains: 'd' }, 50], [{ lessee: 'l' }, 64], [{ detail: 'true' }, 42], [{ fields: 'uuid' }, 7]];

const SUB_RESOURCE_PATHS = ['', '/validate', '/states', '/traits'];

const TEMPLATES: Record<string, Template> = {
  'node create: broken JSON': (r) => ({ method: 'POST', path: '/v1/nodes', body: breakJson(r, validNodeDoc(r)) }),
  'node create: wrong top-level type': (r) => ({ method: 'POST', path: '/v1/nodes', body: r.pick(WRONG_OBJECT_TOP) }),
  'node create: unknown or read-only field': (r) => ({ method: 'POST', path: '/v1/nodes',
    body: { driver: 'fake-hardware', [r.pick(NODE_READ_ONLY_CREATE)]: r.pick(['x', 1, null, {}]) } }),
  'node create: mistyped field': (r) => {
    const [field, value] = r.pick(NODE_MISTYPED);
    return { method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', [field]: value(r) } };
  },
  'node create: bad or missing driver': (r) => ({ method: 'POST', path: '/v1/nodes',
    body: r.pick([{}, { name: word(r) }, { driver: 123 }, { driver: null }, { driver: '' }, { driver: 'no-such-driver' }, { driver: 'x'.repeat(256) }]) }),
  'node create: duplicate name or uuid': (r, b) => ({ method: 'POST', path: '/v1/nodes',
    body: r.chance(0.5) ? { driver: 'fake-hardware', name: node(r, b).name } : { driver: 'fake-hardware', uuid: node(r, b).uuid } }),
  'node create: field newer than the version': (r) => {
    const [field, value, minor] = r.pick(NODE_TOO_NEW);
    return { method: 'POST', path: '/v1/nodes', version: `1.${1 + r.int(minor)}`, body: { driver: 'fake-hardware', [field]: value } };
  },
  'node create: deep nesting': (r) => ({ method: 'POST', path: '/v1/nodes',
    body: r.pick([`{"driver":"fake-hardware","extra":{"d":${deep(r, 5000 + r.int(10000))}}}`, deep(r, 5000 + r.int(20000)),
      `{"extra":${deep(r, 3000 + r.int(8000))},"bogus":1}`]) }),
  'node create: invalid UTF-8': (r) => ({ method: 'POST', path: '/v1/nodes', body: r.pick([
    () => withBadBytes(r, '{"driver":"fake-hardware","name":"', '"}'), () => withBadBytes(r, '{"driver":"', '"}'),
    () => withBadBytes(r, '{"', '":1,"driver":"fake-hardware"}'), () => withBadBytes(r, '{"driver"', ':"fake-hardware"}')])() }),
  'node create: oversized body': (r, b) => ({ method: 'POST', path: '/v1/nodes', body: oversized(r, b), chunked: r.chance(0.5) }),
  'node create: wrong content type': (r) => ({ method: 'POST', path: '/v1/nodes', body: validNodeDoc(r),
    headers: { 'Content-Type': r.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png', 'garbage']) } }),
  'node get: unknown or invalid ident': (r) => ({ method: r.pick(['GET', 'GET', 'PATCH', 'DELETE']),
    path: `/v1/nodes/${r.pick([uuid(r), 'no-such-node', '%FF', '%00', 'a'.repeat(300), 'bad%20name', '%2F', `${word(r)}~x`])}${r.pick(SUB_RESOURCE_PATHS)}`,
    body: validPatchDoc(r) }),
  'node list: bad query parameter': (r) => ({ method: 'GET', path: r.pick(['/v1/nodes', '/v1/nodes/detail']) + q(r.pick(NODE_LIST_BAD)()) }),
  'node list: parameter newer than the version': (r) => {
    const [params, minor] = r.pick(NODE_LIST_TOO_NEW);
    return { method: 'GET', path: '/v1/nodes' + q(params), version: `1.${1 + r.int(minor)}` };
  },
  'node get: bad fields': (r, b) => ({ method: 'GET', path: `/v1/nodes/${ident(r, b)}` + q({ fields: r.pick(['bogus', 'uuid,nope', 'driver_info,,x']) }) }),
  'node patch: broken JSON': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: breakJson(r, validPatchDoc(r)) }),
  'node patch: wrong top-level type': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: r.pick(WRONG_PATCH_TOP) }),
  'node patch: bad op': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: [r.pick([
    { op: r.pick(BAD_OPS), path: '/extra/a', value: 1 }, { op: 'add', path: r.pick(BAD_PATHS), value: 1 }, { op: 'add', value: 1 },
    { op: 'add', path: '/extra/a' }, { op: 'replace', path: '/description' }, { op: 'add', path: '/extra/a', value: 1, from: '/x' },
    { path: '/extra/a', value: 1 }, { op: 'move', from: '/extra/a', path: '/extra/b' }])] }),
  'node patch: read-only or unknown path': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`,
    body: [{ op: r.pick(['add', 'replace', 'remove']), path: r.pick(READ_ONLY_NODE_PATHS), value: r.pick(['x', 1, {}, null]) }] }),
  'node patch: mistyped value': (r, b) => {
    const [field, value] = r.pick(NODE_MISTYPED.filter(([f]) => f !== 'uuid'));
    return { method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: [{ op: 'replace', path: `/${field}`, value: value(r) }] };
  },
  'node patch: duplicate name or bad driver': (r, b) => {
    const [a, c] = [b.nodes[0]!, b.nodes[1]!];
    return { method: 'PATCH', path: `/v1/nodes/${a.uuid}`, body: [r.pick([{ op: 'replace', path: '/name', value: c.name },
      { op: 'replace', path: '/driver', value: r.pick(['no-such-driver', '', 'x'.repeat(300)]) }])] };
  },
  'node patch: valid ops then a failing one': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: [
    { op: 'add', path: `/extra/${word(r)}`, value: 'v' }, { op: 'replace', path: '/description', value: 'changed' },
    { op: 'add', path: '/driver_info/ipmi_port', value: 623 },
    r.pick([{ op: 'remove', path: '/extra/does_not_exist' }, { op: 'replace', path: '/properties/none', value: 1 },
      { op: 'add', path: '/bogus', value: 1 }, { op: 'test', path: '/extra', value: {} }, { op: 'replace', path: '/maintenance', value: 'maybe' },
      { op: 'replace', path: '/name', value: 'bad name' }, { op: 'add', path: '/driver_info/a/b', value: 1 }])] }),
  'node patch: deep nesting': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: r.pick([
    `[{"op":"add","path":"/extra/d","value":${deep(r, 5000 + r.int(10000))}},{"op":"remove","path":"/extra/missing"}]`,
    `[{"op":"add","path":"/extra/d","value":${deep(r, 5000 + r.int(10000))}}]`, deep(r, 5000 + r.int(20000)),
    '[' + '['.repeat(8000) + ']'.repeat(8000) + ']']) }),
  'node patch: invalid UTF-8': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: r.pick([
    () => withBadBytes(r, '[{"op":"replace","path":"/name","value":"', '"}]'), () => withBadBytes(r, '[{"op":"add","path":"/extra/', '","value":1}]'),
    () => withBadBytes(r, '[{"op":"', '","path":"/extra/a","value":1}]')])() }),
  'node patch: oversized body': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, chunked: r.chance(0.5),
    body: JSON.stringify([{ op: 'add', path: '/extra/pad', value: 'x'.repeat(b.maxBodyBytes + 1 + r.int(3 * b.maxBodyBytes)) }]) }),
  'node patch: wrong content type': (r, b) => ({ method: 'PATCH', path: `/v1/nodes/${ident(r, b)}`, body: validPatchDoc(r),
    headers: { 'Content-Type': r.pick(['text/plain', 'application/x-www-form-urlencoded', 'text/html']) } }),
  'node traits: bad trait documents': (r, b) => ({ method: 'PUT', path: `/v1/nodes/${ident(r, b)}/traits`, body: r.pick([
    { traits: 'CUSTOM_X' }, { traits: [1] }, { traits: ['lower'] }, { traits: ['CUSTOM_OK', 'bad one'] }, { traits: ['A'.repeat(256)] },
    { trait: ['CUSTOM_A'] }, [], 'null', breakJson(r, '{"traits":["CUSTOM_A"]}'), `{"traits":[${deep(r, 6000)}]}`]) }),
  'node traits: bad single trait': (r, b) => r.chance(0.7)
    ? { method: r.pick(['PUT', 'DELETE']), path: `/v1/nodes/${ident(r, b)}/traits/${r.pick(['lower', 'CUSTOM_a', 'HAS-DASH', 'X'.repeat(256), '%FF'])}` }
    : { method: 'DELETE', path: `/v1/nodes/${ident(r, b)}/traits/CUSTOM_NOT_THERE_${hex(r, 4).toUpperCase()}` },
  'node traits: before traits existed': (r, b) => ({ method: r.pick(['PUT', 'DELETE', 'GET']), version: `1.${1 + r.int(36)}`,
    path: `/v1/nodes/${node(r, b).uuid}/traits${r.chance(0.5) ? '/CUSTOM_FUZZ' : ''}`, body: r.chance(0.5) ? { traits: [] } : undefined }),
  'node states: bad targets': (r, b) => ({ method: 'PUT', path: `/v1/nodes/${ident(r, b)}/states/${r.pick(['power', 'provision'])}`,
    body: r.pick([{ target: 'explode' }, {}, { target: 1 }, { target: null }, { target: ['power on'] }, [], breakJson(r, '{"target":"x"}')]) }),
  'port create: broken or wrong-type JSON': (r, b) => ({ method: 'POST', path: '/v1/ports',
    body: r.chance(0.5) ? breakJson(r, validPortDoc(r, b)) : r.pick(WRONG_OBJECT_TOP) }),
  'port create: invalid field': (r, b) => {
    const n = node(r, b).uuid;
    return { method: 'POST', path: '/v1/ports', body: r.pick([{ address: r.pick(BAD_MACS), node_uuid: n }, { address: mac(r), node_uuid: r.pick(['nope', 123, uuid(r)]) },
      { address: mac(r) }, { node_uuid: n }, { address: mac(r), node_uuid: n, pxe_enabled: r.pick(NOT_A_BOOL) },
      { address: mac(r), node_uuid: n, extra: r.pick(NOT_A_DICT) }, { address: mac(r), node_uuid: n, local_link_connection: r.pick(['x', 1, [], { bogus_key: 1 }]) },
      { address: mac(r), node_uuid: n, physical_network: 123 }, { address: mac(r), node_uuid: n, is_smartnic: 'maybe' },
      { address: mac(r), node_uuid: n, portgroup_uuid: 'nope' }, { address: mac(r), node_uuid: n, uuid: 'nope' },
      { address: mac(r), node_uuid: n, bogus: 1 }, { address: mac(r), node_uuid: n, internal_info: {} }, { address: mac(r), node_uuid: n, created_at: 'x' }]) };
  },
  'port create: duplicate MAC or uuid': (r, b) => {
    const p = port(r, b);
    return { method: 'POST', path: '/v1/ports', body: r.chance(0.5) ? { address: r.chance(0.5) ? p.address : p.address.toUpperCase(), node_uuid: node(r, b).uuid }
      : { address: mac(r), node_uuid: node(r, b).uuid, uuid: p.uuid } };
  },
  'port create: field newer than the version': (r, b) => {
    const [field, value, minor] = r.pick([['pxe_enabled', false, 18], ['local_link_connection', {}, 18], ['physical_network', 'p', 33],
      ['is_smartnic', true, 52], ['name', 'p1', 87]] as const);
    return { method: 'POST', path: '/v1/ports', version: `1.${1 + r.int(minor)}`, body: { address: mac(r), node_uuid: node(r, b).uuid, [field]: value } };
  },
  'port list/get: bad query or ident': (r) => ({ method: 'GET', path: r.chance(0.4) ? `/v1/ports/${r.pick([uuid(r), '%FF', 'no-such-port', '%00'])}`
    : '/v1/ports' + q(r.pick<Record<string, string>>([{ limit: 'x' }, { limit: '0' }, { sort_dir: 'up' }, { sort_key: r.pick(['extra', 'local_link_connection', 'bogus']) },
      { fields: 'bogus' }, { detail: 'maybe' }, { detail: 'true', fields: 'uuid' }, { marker: uuid(r) }, { address: 'notamac' }, { node_uuid: 'nope' }])) }),
  'port patch: invalid change': (r, b) => {
    const p = port(r, b);
    const other = b.ports.find((x) => x.uuid !== p.uuid);
    return { method: 'PATCH', path: `/v1/ports/${p.uuid}`, body: r.chance(0.2) ? breakJson(r, validPatchDoc(r)) : [r.pick([
      { op: 'replace', path: '/uuid', value: uuid(r) }, { op: 'replace', path: '/created_at', value: 'x' }, { op: 'add', path: '/bogus', value: 1 },
      { op: 'replace', path: '/address', value: r.pick(BAD_MACS) }, { op: 'replace', path: '/address', value: other?.address ?? 'bad' },
      { op: 'replace', path: '/node_uuid', value: r.pick(['nope', uuid(r)]) }, { op: 'replace', path: '/pxe_enabled', value: 'maybe' },
      { op: 'replace', path: '/extra', value: 'x' }, { op: 'remove', path: '/extra/missing' }, { op: r.pick(BAD_OPS), path: '/extra/a', value: 1 },
      { op: 'replace', path: '/local_link_connection', value: 'x' }, { op: 'replace', path: '/internal_info', value: {} }])] };
  },
  'portgroup: invalid create or unknown': (r, b) => r.chance(0.3)
    ? { method: 'GET', path: r.pick([`/v1/portgroups/${uuid(r)}`, '/v1/portgroups?limit=x', '/v1/portgroups?sort_key=bogus', '/v1/portgroups?fields=bogus']) }
    : { method: 'POST', path: '/v1/portgroups', body: r.pick([{ node_uuid: 'nope' }, { address: r.pick(BAD_MACS.filter((m) => m !== '')), node_uuid: node(r, b).uuid },
      { name: r.pick(['bad name', 'has/slash', 'x'.repeat(256), 'tab\there', 'ünïcode']), node_uuid: node(r, b).uuid }, { mode: 123, node_uuid: node(r, b).uuid }, { bogus: 1, node_uuid: node(r, b).uuid },
      { name: word(r) }, { properties: 'x', node_uuid: node(r, b).uuid }, { standalone_ports_supported: 'maybe', node_uuid: node(r, b).uuid },
      breakJson(r, `{"node_uuid":"${node(r, b).uuid}"}`), r.pick(WRONG_OBJECT_TOP)]) },
  'portgroup: before portgroups existed': (r, b) => ({ method: r.pick(['GET', 'POST']), path: '/v1/portgroups', version: `1.${1 + r.int(22)}`,
    body: { node_uuid: node(r, b).uuid, name: word(r) } }),
  'chassis: invalid create or unknown': (r) => r.chance(0.4)
    ? { method: r.pick(['GET', 'PATCH', 'DELETE']), path: r.pick([`/v1/chassis/${uuid(r)}`, '/v1/chassis/not-a-uuid', '/v1/chassis?limit=abc', '/v1/chassis?sort_dir=x']),
      body: validPatchDoc(r) }
    : { method: 'POST', path: '/v1/chassis', body: r.pick([{ description: 123 }, { description: 'x'.repeat(256) }, { extra: r.pick(NOT_A_DICT) }, { bogus: 1 },
      { uuid: 'nope' }, breakJson(r, '{"description":"c"}'), r.pick(WRONG_OBJECT_TOP)]) },
  'drivers: unknown driver or bad query': (r) => ({ method: 'GET', path: r.pick([`/v1/drivers/${r.pick(['no-such-driver', '%FF', 'x'.repeat(300)])}`,
    '/v1/drivers/no-such-driver/properties', '/v1/drivers/no-such-driver/raid/logical_disk_properties', '/v1/drivers?type=bogus',
    '/v1/drivers?detail=maybe', '/v1/drivers?fields=bogus', '/v1/drivers/ipmi?fields=bogus']) }),
  'conductors: unknown or bad query': (r) => ({ method: 'GET', path: r.pick([`/v1/conductors/no-such-${word(r)}`, '/v1/conductors/%00', '/v1/conductors?limit=abc',
    '/v1/conductors?sort_key=alive', '/v1/conductors?sort_key=drivers', '/v1/conductors?sort_key=bogus', '/v1/conductors?fields=bogus',
    '/v1/conductors?detail=maybe', '/v1/conductors?marker=no-such-host']) }),
  'odd but harmless query': (r) => ({ method: 'GET', mayPass: true, path: r.pick(['/v1/nodes', '/v1/nodes/detail', '/v1/ports', '/v1/portgroups',
    '/v1/chassis', '/v1/conductors', '/v1/drivers']) + q({ [r.pick(['driver', 'owner', 'lessee', 'provision_state', 'resource_class', 'conductor_group',
    'description_contains', 'fault', 'conductor', 'shard', 'node', 'address', 'portgroup', 'type', 'bogus_param'])]:
    r.pick(['\u0000', 'a\u0000b', '\ud83d\ude00', 'x'.repeat(3000), "' OR 1=1 --", '%', '_', '\\', '%00', '\u202e']) }) }),
  'prototype keys in a path, body or query': (r, b) => {
    const key = r.pick(['__proto__', 'constructor', 'prototype', '\\u005f_proto__']);
    const [collection, target] = r.pick([['nodes', node(r, b).uuid], ['ports', port(r, b).uuid], ['portgroups', uuid(r)], ['chassis', uuid(r)]] as const);
    const doc = `{"${key}":{"pwned":"yes"}}`;
    return r.pick<Draft>([
      { method: 'PATCH', path: `/v1/${collection}/${target}`, body: [{ op: r.pick(['add', 'replace', 'remove']), path: `/extra/${key.replace('\\u005f', '_')}/pwned`, value: 'yes' }] },
      { method: 'PATCH', path: `/v1/${collection}/${target}`, body: `[{"op":"add","path":"/extra/x","value":${doc}}]` },
      { method: 'POST', path: '/v1/nodes', body: `{"driver":"fake-hardware","${r.pick(['extra', 'properties', 'driver_info', 'instance_info'])}":${doc}}` },
      { method: 'POST', path: '/v1/ports', body: `{"address":"${mac(r)}","node_uuid":"${node(r, b).uuid}","extra":${doc}}` },
      { method: 'POST', path: '/v1/chassis', body: `{"description":"c","extra":${doc}}` },
      { method: 'GET', mayPass: true, path: `/v1/${collection}?${r.pick(['__proto__=x', 'constructor=x', '__proto__[pwned]=x', 'fields=__proto__', 'sort_key=constructor'])}` },
    ]);
  },
  'conductors: before conductors existed': (r) => ({ method: 'GET', path: '/v1/conductors', version: `1.${1 + r.int(48)}` }),
  'unknown path': (r, b) => ({ method: r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), body: r.chance(0.5) ? { a: 1 } : undefined,
    path: r.pick(['/v2', '/v2/nodes', '/v1/nodez', `/v1/nodes/${node(r, b).uuid}/no-such-sub`, `/v1/nodes/${node(r, b).uuid}/traits/A/B`,
      '/v1/bogus', '/v3/', `/v1/ports/${uuid(r)}/no-such`, '/nodes/x/y/z/w', '/favicon.ico', `/v1/${word(r)}/${word(r)}`, '/v1/nodes/x/states/bogus']) }),
  'bad method': (r, b) => {
    const n = node(r, b).uuid;
    const [method, path] = r.pick([['PUT', '/v1/nodes'], ['DELETE', '/v1/nodes'], ['PATCH', '/v1/nodes'], ['POST', `/v1/nodes/${n}`],
      ['PUT', `/v1/nodes/${n}`], ['POST', `/v1/nodes/${n}/validate`], ['DELETE', `/v1/nodes/${n}/validate`], ['POST', `/v1/nodes/${n}/states`],
      ['DELETE', `/v1/nodes/${n}/states`], ['POST', '/v1'], ['DELETE', '/v1'], ['PUT', '/'], ['OPTIONS', '/v1/nodes'], ['POST', '/v1/nodes/detail'],
      ['PUT', '/v1/ports'], ['DELETE', '/v1/ports'], ['POST', `/v1/ports/${port(r, b).uuid}`], ['PUT', `/v1/ports/${port(r, b).uuid}`],
      ['POST', '/v1/drivers'], ['DELETE', '/v1/drivers/ipmi'], ['PATCH', '/v1/drivers/ipmi'], ['POST', '/v1/conductors'],
      ['DELETE', '/v1/conductors'], ['PROPFIND', '/v1/nodes'], ['PURGE', `/v1/nodes/${n}`], ['PUT', '/v1/chassis']] as const);
    return { method, path, body: r.chance(0.5) ? { driver: 'fake-hardware' } : undefined };
  },
  'bad microversion': (r, b) => {
    const n = node(r, b).uuid;
    const req = r.pick<Draft>([{ method: 'GET', path: '/v1/nodes' }, { method: 'GET', path: `/v1/nodes/${n}` }, { method: 'GET', path: '/v1/ports' },
      { method: 'POST', path: '/v1/nodes', body: JSON.parse(validNodeDoc(r)) }, { method: 'PATCH', path: `/v1/nodes/${n}`, body: JSON.parse(validPatchDoc(r)) },
      { method: 'DELETE', path: `/v1/nodes/${n}` }, { method: 'DELETE', path: `/v1/ports/${port(r, b).uuid}` }, { method: 'GET', path: '/v1/drivers' },
      { method: 'PUT', path: `/v1/nodes/${n}/traits`, body: { traits: [] } }]);
    const bad = r.pick(BAD_VERSIONS);
    return r.chance(0.7) ? { ...req, version: bad } : { ...req, version: null, headers: { 'OpenStack-API-Version': `baremetal ${bad}` } };
  },
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES);

function finish(label: string, d: Draft, r: Rng, b: Baseline): FuzzRequest {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const version = d.version === undefined ? r.pick(['latest', 'latest', 'latest', 'latest', `1.${b.maxMinor}`, `1.${1 + r.int(b.maxMinor)}`, null]) : d.version;
  if (version !== null) headers['X-OpenStack-Ironic-API-Version'] = version;
  let body: Buffer | undefined;
  if (d.body !== undefined) {
    body = Buffer.isBuffer(d.body) ? d.body : Buffer.from(typeof d.body === 'string' ? d.body : JSON.stringify(d.body));
    headers['Content-Type'] = 'application/json';
  }
  for (const [k, v] of Object.entries(d.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  return { label, method: d.method, path: d.path, headers, body, chunked: d.chunked, mayPass: d.mayPass };
}

/** `count` requests: every template once, then random templates. */
export function generateRequests(seed: number, count: number, baseline: Baseline): FuzzRequest[] {
  const r = makeRng(seed);
  const out: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    const label = i < TEMPLATE_NAMES.length ? TEMPLATE_NAMES[i]! : r.pick(TEMPLATE_NAMES);
    out.push(finish(label, TEMPLATES[label]!(r, baseline), r, baseline));
  }
  return out;
}
