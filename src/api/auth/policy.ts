// Ironic's default RBAC policy, as data: each rule (Ironic's own names, `baremetal:node:update` …) is a list of
// personas, any one of which grants it, and each persona is a role plus a scope (system, the node's owner or
// lessee, an allocation's owner, or any project). The lists follow the composite check strings of Ironic's
// ironic/common/policy.py (SYSTEM_OR_PROJECT_READER, SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN, …) with the
// `service` and `manager` roles left out: Anvil's users file offers admin, member and reader only.
//
// Roles imply each other as in Keystone's default hierarchy (admin ⊇ member ⊇ reader); a user without a
// project is system scoped (`system_scope:all`), one with a project is scoped to it.
import { NotAuthorizedError } from '../../common/errors.js';
import type { Actor } from '../../common/request-actor.js';

/** What a rule is checked against: the node's owner and lessee, or an allocation's owner (all optional). */
export interface PolicyTarget {
  readonly nodeOwner?: string | null;
  readonly nodeLessee?: string | null;
  readonly allocationOwner?: string | null;
}

type Role = 'admin' | 'member' | 'reader';
type Scope = 'system' | 'owner' | 'lessee' | 'allocation_owner' | 'any';
export type Persona = `${Scope}_${Role}`;

const IMPLIED: Readonly<Record<Role, readonly Role[]>> = { admin: ['admin'], member: ['admin', 'member'], reader: ['admin', 'member', 'reader'] };

export function hasRole(actor: Actor, role: Role): boolean {
  return IMPLIED[role].some((r) => actor.roles.includes(r));
}

const inProject = (actor: Actor, value: string | null | undefined) => actor.project !== null && !!value && value === actor.project;

const SCOPES: Readonly<Record<Scope, (actor: Actor, t: PolicyTarget) => boolean>> = {
  system: (a) => a.project === null,
  owner: (a, t) => inProject(a, t.nodeOwner),
  lessee: (a, t) => inProject(a, t.nodeLessee),
  allocation_owner: (a, t) => inProject(a, t.allocationOwner),
  any: () => true,
};

export function personaMatches(persona: Persona, actor: Actor, target: PolicyTarget): boolean {
  const cut = persona.lastIndexOf('_');
  return hasRole(actor, persona.slice(cut + 1) as Role) && SCOPES[persona.slice(0, cut) as Scope](actor, target);
}

/** True when the persona can never depend on the target (so a rule can be decided before anything is read). */
export const targetFree = (persona: Persona) => persona.startsWith('system_') || persona.startsWith('any_');

// Ironic's composite check strings.
const SYSTEM_ADMIN: readonly Persona[] = ['system_admin'];
const SYSTEM_MEMBER: readonly Persona[] = ['system_member'];
const SYSTEM_READER: readonly Persona[] = ['system_reader'];
const SYSTEM_OR_PROJECT_READER: readonly Persona[] = ['system_reader', 'owner_reader', 'lessee_reader'];
const SYSTEM_OR_PROJECT_MEMBER: readonly Persona[] = ['system_member', 'owner_member', 'lessee_member'];
const SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN: readonly Persona[] = ['system_member', 'owner_member', 'lessee_admin'];
const SYSTEM_ADMIN_OR_OWNER_ADMIN: readonly Persona[] = ['system_admin', 'owner_admin'];
const SYSTEM_MEMBER_OR_OWNER_ADMIN: readonly Persona[] = ['system_member', 'owner_admin'];
const SYSTEM_MEMBER_OR_OWNER_MEMBER: readonly Persona[] = ['system_member', 'owner_member'];
const SYSTEM_OR_OWNER_READER: readonly Persona[] = ['system_reader', 'owner_reader'];
const SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN: readonly Persona[] = ['system_member', 'owner_admin', 'lessee_admin'];
const ALLOCATION_MEMBER: readonly Persona[] = ['system_member', 'allocation_owner_member'];
const ALLOCATION_READER: readonly Persona[] = ['system_reader', 'allocation_owner_reader'];
const API_READER: readonly Persona[] = ['any_reader'];

/** Every rule Anvil checks, with Ironic's default. */
export const RULES = {
  'baremetal:node:create': SYSTEM_ADMIN,
  'baremetal:node:create:self_owned_node': ['any_admin'],
  'baremetal:node:list': API_READER,
  'baremetal:node:list_all': SYSTEM_READER,
  'baremetal:node:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:get:filter_threshold': SYSTEM_READER,
  'baremetal:node:get:last_error': SYSTEM_OR_OWNER_READER,
  'baremetal:node:get:reservation': SYSTEM_OR_OWNER_READER,
  'baremetal:node:get:driver_internal_info': SYSTEM_OR_OWNER_READER,
  'baremetal:node:get:driver_info': SYSTEM_OR_OWNER_READER,
  'baremetal:node:update': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:update_extra': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:update_instance_info': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:update_owner_provisioned': SYSTEM_ADMIN,
  'baremetal:node:update:driver_info': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:properties': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:chassis_uuid': SYSTEM_ADMIN,
  'baremetal:node:update:instance_uuid': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:lessee': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:owner': SYSTEM_MEMBER,
  'baremetal:node:update:driver_interfaces': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:update:network_data': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:conductor_group': SYSTEM_MEMBER,
  'baremetal:node:update:name': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:retired': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:update:shard': SYSTEM_ADMIN,
  'baremetal:node:update:parent_node': SYSTEM_MEMBER,
  'baremetal:node:update:disable_power_off': SYSTEM_ADMIN,
  'baremetal:node:disable_cleaning': SYSTEM_ADMIN,
  'baremetal:node:delete': SYSTEM_ADMIN,
  'baremetal:node:delete:self_owned_node': ['owner_admin'],
  'baremetal:node:validate': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:set_maintenance': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:clear_maintenance': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:get_boot_device': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:set_boot_device': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:get_indicator_state': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:set_indicator_state': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:inject_nmi': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:get_states': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:set_power_state': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:set_boot_mode': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:set_secure_boot': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:set_provision_state': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:set_raid_state': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:get_console': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:set_console_state': SYSTEM_MEMBER_OR_OWNER_MEMBER,
  'baremetal:node:vif:list': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:vif:attach': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:vif:detach': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:node:traits:list': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:traits:set': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:traits:delete': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:node:bios:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:history:get': SYSTEM_OR_OWNER_READER,
  'baremetal:node:inventory:get': SYSTEM_OR_OWNER_READER,
  'baremetal:node:firmware:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:node:vmedia:attach': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:vmedia:detach': SYSTEM_OR_PROJECT_MEMBER,
  'baremetal:node:vmedia:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:shards:get': SYSTEM_READER,
  'baremetal:port:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:port:list': API_READER,
  'baremetal:port:list_all': SYSTEM_READER,
  'baremetal:port:create': SYSTEM_ADMIN_OR_OWNER_ADMIN,
  'baremetal:port:delete': SYSTEM_ADMIN_OR_OWNER_ADMIN,
  'baremetal:port:update': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:portgroup:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:portgroup:list': API_READER,
  'baremetal:portgroup:list_all': SYSTEM_READER,
  'baremetal:portgroup:create': SYSTEM_ADMIN_OR_OWNER_ADMIN,
  'baremetal:portgroup:delete': SYSTEM_ADMIN_OR_OWNER_ADMIN,
  'baremetal:portgroup:update': SYSTEM_MEMBER_OR_OWNER_ADMIN,
  'baremetal:chassis:get': SYSTEM_READER,
  'baremetal:chassis:create': SYSTEM_ADMIN,
  'baremetal:chassis:delete': SYSTEM_ADMIN,
  'baremetal:chassis:update': SYSTEM_MEMBER,
  'baremetal:driver:get': SYSTEM_READER,
  'baremetal:driver:get_properties': SYSTEM_READER,
  'baremetal:driver:get_raid_logical_disk_properties': SYSTEM_READER,
  'baremetal:volume:get': SYSTEM_OR_PROJECT_READER,
  'baremetal:volume:list': API_READER,
  'baremetal:volume:list_all': SYSTEM_READER,
  'baremetal:volume:create': SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN,
  'baremetal:volume:delete': SYSTEM_MEMBER_OR_OWNER_LESSEE_ADMIN,
  'baremetal:volume:update': SYSTEM_OR_OWNER_MEMBER_AND_LESSEE_ADMIN,
  'baremetal:volume:view_target_properties': ['system_reader', 'any_admin'],
  'baremetal:conductor:get': SYSTEM_READER,
  'baremetal:allocation:get': ALLOCATION_READER,
  'baremetal:allocation:list': API_READER,
  'baremetal:allocation:list_all': SYSTEM_READER,
  'baremetal:allocation:create': ['system_member', 'any_member'],
  'baremetal:allocation:create_restricted': SYSTEM_MEMBER,
  'baremetal:allocation:delete': ALLOCATION_MEMBER,
  'baremetal:allocation:update': ALLOCATION_MEMBER,
  'baremetal:events:post': SYSTEM_ADMIN,
  'baremetal:deploy_template:get': SYSTEM_READER,
  'baremetal:deploy_template:create': SYSTEM_ADMIN,
  'baremetal:deploy_template:delete': SYSTEM_ADMIN,
  'baremetal:deploy_template:update': SYSTEM_ADMIN,
} as const satisfies Record<string, readonly Persona[]>;

export type RuleName = keyof typeof RULES;

export function allows(rule: RuleName, actor: Actor, target: PolicyTarget = {}): boolean {
  return (RULES[rule] as readonly Persona[]).some((p) => personaMatches(p, actor, target));
}

/** Whether the rule can be granted without reading the target (system and any-project personas only). */
export function allowsWithoutTarget(rule: RuleName, actor: Actor): boolean {
  return (RULES[rule] as readonly Persona[]).some((p) => targetFree(p) && personaMatches(p, actor, {}));
}

/** Ironic's HTTPForbidden: 403 "Access was denied to the following resource: <rule>". */
export function forbidden(resource: RuleName | string): NotAuthorizedError {
  return new NotAuthorizedError(`Access was denied to the following resource: ${resource}`);
}

/** @throws NotAuthorizedError (403) naming the rule, as Ironic does. */
export function enforce(rule: RuleName, actor: Actor, target: PolicyTarget = {}): void {
  if (!allows(rule, actor, target)) throw forbidden(rule);
}
