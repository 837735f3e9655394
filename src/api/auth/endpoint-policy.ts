// Which policy rule guards each endpoint, and against what it is checked — one row per route, keyed by the
// route's method and path below /v1 exactly as registered (test/api/rbac-matrix.test.ts checks that every
// route of the app has a row, and walks the rows with every role × owner/lessee/other).
//
// `on` says where the owner/lessee of the check comes from (Ironic's check_*_policy_and_retrieve helpers):
//   public         answered before authentication (version discovery, the ramdisk's endpoints)
//   system         no target: only system-scoped (or any-project) personas can pass
//   node, port, portgroup, connector, target, allocation
//                  the record named by the path parameter `param`; a project user who may not even see it
//                  gets that record's 404, as if it did not exist
//   list           `rules` = [see everything, see one's project]; a project user gets the scoped list
//                  (`parent`: the node or portgroup in the path must be visible first)
//   body           the handler checks `rule` against the node named in the request body (creates)
import type { RuleName } from './policy.js';

export type RecordKind = 'node' | 'port' | 'portgroup' | 'connector' | 'target' | 'allocation';

export type Guard =
  | { readonly on: 'public' }
  | { readonly on: 'system'; readonly rule: RuleName }
  | { readonly on: RecordKind; readonly param: string; readonly rule: RuleName }
  | { readonly on: 'list'; readonly rules: readonly [all: RuleName, scoped: RuleName]; readonly parent?: { readonly on: 'node' | 'portgroup'; readonly param: string } }
  | { readonly on: 'body'; readonly rule: RuleName };

const node = (rule: RuleName, param = 'ident'): Guard => ({ on: 'node', param, rule });
const system = (rule: RuleName): Guard => ({ on: 'system', rule });
const list = (all: RuleName, scoped: RuleName, parent?: { on: 'node' | 'portgroup'; param: string }): Guard =>
  ({ on: 'list', rules: [all, scoped], ...(parent ? { parent } : {}) });
const nodeList = list('baremetal:node:list_all', 'baremetal:node:list');
const portList = (parent?: { on: 'node' | 'portgroup'; param: string }) => list('baremetal:port:list_all', 'baremetal:port:list', parent);
const portgroupList = (parent?: { on: 'node'; param: string }) => list('baremetal:portgroup:list_all', 'baremetal:portgroup:list', parent);
const volumeList = (parent?: { on: 'node'; param: string }) => list('baremetal:volume:list_all', 'baremetal:volume:list', parent);
const PUBLIC: Guard = { on: 'public' };

/** GET/PATCH/DELETE of one record at `path` (`:ident`), guarded by `baremetal:<rules>:get|update|delete`. */
const recordRows = (path: string, on: RecordKind, rules: 'port' | 'portgroup' | 'allocation' | 'volume'): Record<string, Guard> => ({
  [`GET ${path}`]: { on, param: 'ident', rule: `baremetal:${rules}:get` },
  [`PATCH ${path}`]: { on, param: 'ident', rule: `baremetal:${rules}:update` },
  [`DELETE ${path}`]: { on, param: 'ident', rule: `baremetal:${rules}:delete` },
});

/** `METHOD /path` (below /v1, as registered) -> guard. */
export const ENDPOINT_POLICY: Readonly<Record<string, Guard>> = {
  'GET /': PUBLIC,
  'GET /lookup': PUBLIC,
  'POST /heartbeat/:node': PUBLIC,
  'POST /continue_inspection': PUBLIC,
  // The page holds no data and logs in itself; its data comes through the API.
  'GET /dashboard/*': PUBLIC,
  // The live feed carries every node's changes: only for those who may list every node.
  'GET /dashboard/events': system('baremetal:node:list_all'),

  'GET /nodes': nodeList,
  'GET /nodes/detail': nodeList,
  'POST /nodes': { on: 'body', rule: 'baremetal:node:create' },
  'GET /nodes/:ident': node('baremetal:node:get'),
  // Field by field in the handler (NODE_PATCH_RULES); here only "may this user see the node".
  'PATCH /nodes/:ident': node('baremetal:node:get'),
  // The handler also allows a project admin on the nodes its project owns (delete:self_owned_node).
  'DELETE /nodes/:ident': node('baremetal:node:get'),
  'GET /nodes/:ident/validate': node('baremetal:node:validate'),
  'GET /nodes/:ident/states': node('baremetal:node:get_states'),
  'GET /nodes/:ident/traits': node('baremetal:node:traits:list'),
  'PUT /nodes/:ident/traits': node('baremetal:node:traits:set'),
  'PUT /nodes/:ident/traits/:trait': node('baremetal:node:traits:set'),
  'DELETE /nodes/:ident/traits': node('baremetal:node:traits:delete'),
  'DELETE /nodes/:ident/traits/:trait': node('baremetal:node:traits:delete'),
  'PUT /nodes/:ident/states/provision': node('baremetal:node:set_provision_state'),
  'PUT /nodes/:ident/states/power': node('baremetal:node:set_power_state'),
  'GET /nodes/:ident/states/console': node('baremetal:node:get_console'),
  'PUT /nodes/:ident/states/console': node('baremetal:node:set_console_state'),
  'PUT /nodes/:ident/states/raid': node('baremetal:node:set_raid_state'),
  'PUT /nodes/:ident/states/boot_mode': node('baremetal:node:set_boot_mode'),
  'PUT /nodes/:ident/states/secure_boot': node('baremetal:node:set_secure_boot'),
  'GET /nodes/:ident/management/boot_device': node('baremetal:node:get_boot_device'),
  'GET /nodes/:ident/management/boot_device/supported': node('baremetal:node:get_boot_device'),
  'PUT /nodes/:ident/management/boot_device': node('baremetal:node:set_boot_device'),
  'PUT /nodes/:ident/management/inject_nmi': node('baremetal:node:inject_nmi'),
  'GET /nodes/:ident/management/indicators': node('baremetal:node:get_indicator_state'),
  'GET /nodes/:ident/management/indicators/:indicator': node('baremetal:node:get_indicator_state'),
  'PUT /nodes/:ident/management/indicators/:indicator': node('baremetal:node:set_indicator_state'),
  'PUT /nodes/:ident/maintenance': node('baremetal:node:set_maintenance'),
  'DELETE /nodes/:ident/maintenance': node('baremetal:node:clear_maintenance'),
  'GET /nodes/:ident/history': node('baremetal:node:history:get'),
  'GET /nodes/:ident/history/:event': node('baremetal:node:history:get'),
  'GET /nodes/:ident/vifs': node('baremetal:node:vif:list'),
  'POST /nodes/:ident/vifs': node('baremetal:node:vif:attach'),
  'DELETE /nodes/:ident/vifs/:vif': node('baremetal:node:vif:detach'),
  'GET /nodes/:ident/bios': node('baremetal:node:bios:get'),
  'GET /nodes/:ident/bios/:name': node('baremetal:node:bios:get'),
  'POST /nodes/:ident/vmedia': node('baremetal:node:vmedia:attach'),
  'DELETE /nodes/:ident/vmedia': node('baremetal:node:vmedia:detach'),
  'GET /nodes/:ident/vmedia': node('baremetal:node:vmedia:get'),
  'GET /nodes/:ident/inventory': node('baremetal:node:inventory:get'),
  'GET /nodes/:ident/firmware': node('baremetal:node:firmware:get'),
  // The children themselves are filtered to the user's project in the handler.
  'GET /nodes/:ident/children': node('baremetal:node:get'),
  'GET /shards': system('baremetal:shards:get'),
  'POST /events': system('baremetal:events:post'),

  'GET /ports': portList(),
  'GET /ports/detail': portList(),
  'GET /nodes/:node/ports': portList({ on: 'node', param: 'node' }),
  'GET /nodes/:node/ports/detail': portList({ on: 'node', param: 'node' }),
  'GET /portgroups/:portgroup/ports': portList({ on: 'portgroup', param: 'portgroup' }),
  'GET /portgroups/:portgroup/ports/detail': portList({ on: 'portgroup', param: 'portgroup' }),
  'POST /ports': { on: 'body', rule: 'baremetal:port:create' },
  ...recordRows('/ports/:ident', 'port', 'port'),

  'GET /portgroups': portgroupList(),
  'GET /portgroups/detail': portgroupList(),
  'GET /nodes/:node/portgroups': portgroupList({ on: 'node', param: 'node' }),
  'GET /nodes/:node/portgroups/detail': portgroupList({ on: 'node', param: 'node' }),
  'POST /portgroups': { on: 'body', rule: 'baremetal:portgroup:create' },
  ...recordRows('/portgroups/:ident', 'portgroup', 'portgroup'),

  'GET /chassis': system('baremetal:chassis:get'),
  'GET /chassis/detail': system('baremetal:chassis:get'),
  'GET /chassis/:ident': system('baremetal:chassis:get'),
  'GET /chassis/:ident/nodes': nodeList,
  'GET /chassis/:ident/nodes/detail': nodeList,
  'POST /chassis': system('baremetal:chassis:create'),
  'PATCH /chassis/:ident': system('baremetal:chassis:update'),
  'DELETE /chassis/:ident': system('baremetal:chassis:delete'),

  'GET /drivers': system('baremetal:driver:get'),
  'GET /drivers/:name': system('baremetal:driver:get'),
  'GET /drivers/:name/properties': system('baremetal:driver:get_properties'),
  'GET /drivers/:name/raid/logical_disk_properties': system('baremetal:driver:get_raid_logical_disk_properties'),
  'GET /conductors': system('baremetal:conductor:get'),
  'GET /conductors/:hostname': system('baremetal:conductor:get'),

  // Lists are filtered by the allocation's owner (not the node's) in the handler.
  'GET /allocations': list('baremetal:allocation:list_all', 'baremetal:allocation:list'),
  'POST /allocations': { on: 'body', rule: 'baremetal:allocation:create' },
  ...recordRows('/allocations/:ident', 'allocation', 'allocation'),
  // The node must be visible; the handler then checks the allocation rule against the allocation's owner.
  'GET /nodes/:node/allocation': node('baremetal:node:get', 'node'),
  'DELETE /nodes/:node/allocation': node('baremetal:node:get', 'node'),

  'GET /volume': system('baremetal:volume:get'),
  'GET /nodes/:node/volume': node('baremetal:volume:get', 'node'),
  'GET /volume/connectors': volumeList(),
  'GET /nodes/:node/volume/connectors': volumeList({ on: 'node', param: 'node' }),
  'POST /volume/connectors': { on: 'body', rule: 'baremetal:volume:create' },
  ...recordRows('/volume/connectors/:ident', 'connector', 'volume'),
  'GET /volume/targets': volumeList(),
  'GET /nodes/:node/volume/targets': volumeList({ on: 'node', param: 'node' }),
  'POST /volume/targets': { on: 'body', rule: 'baremetal:volume:create' },
  ...recordRows('/volume/targets/:ident', 'target', 'volume'),
  // Under a node only listing exists; every other method is Ironic's "Operation not permitted" (403) anyway.
  ...Object.fromEntries(['connectors', 'targets'].flatMap((s) => [
    ...['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [`${m} /nodes/:node/volume/${s}`, node('baremetal:node:get', 'node')]),
    [`ALL /nodes/:node/volume/${s}/:ident`, node('baremetal:node:get', 'node')],
  ])),

  'GET /deploy_templates': system('baremetal:deploy_template:get'),
  'GET /deploy_templates/:ident': system('baremetal:deploy_template:get'),
  'POST /deploy_templates': system('baremetal:deploy_template:create'),
  'PATCH /deploy_templates/:ident': system('baremetal:deploy_template:update'),
  'DELETE /deploy_templates/:ident': system('baremetal:deploy_template:delete'),
};

/**
 * The node PATCH paths with a rule of their own (Ironic's _authorize_patch_and_get_node): first prefix match
 * wins; `*_interface` paths are driver interfaces; anything else falls to `baremetal:node:update`.
 */
export const NODE_PATCH_RULES: readonly (readonly [prefix: string, rule: RuleName])[] = [
  ['/instance_info', 'baremetal:node:update_instance_info'],
  ['/extra', 'baremetal:node:update_extra'],
  ['/driver_info', 'baremetal:node:update:driver_info'],
  ['/properties', 'baremetal:node:update:properties'],
  ['/chassis_uuid', 'baremetal:node:update:chassis_uuid'],
  ['/instance_uuid', 'baremetal:node:update:instance_uuid'],
  ['/instance_name', 'baremetal:node:update_instance_info'],
  ['/lessee', 'baremetal:node:update:lessee'],
  ['/owner', 'baremetal:node:update:owner'],
  ['/driver', 'baremetal:node:update:driver_interfaces'],
  ['/network_data', 'baremetal:node:update:network_data'],
  ['/conductor_group', 'baremetal:node:update:conductor_group'],
  ['/name', 'baremetal:node:update:name'],
  ['/retired', 'baremetal:node:update:retired'],
  ['/shard', 'baremetal:node:update:shard'],
  ['/parent_node', 'baremetal:node:update:parent_node'],
  ['/disable_power_off', 'baremetal:node:update:disable_power_off'],
];
