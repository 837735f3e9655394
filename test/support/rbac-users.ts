// The users of the RBAC tests: one per role and scope (system admin/member/reader, project admin/member/reader
// of proj-a) plus `nobody`, who is in the htpasswd file but not in the users file (authenticated, no role).
import type { Actor } from '../../src/common/request-actor.js';

export interface RbacUser {
  readonly name: string;
  readonly password: string;
  readonly actor: Actor;
}

const user = (name: string, project: string | null, roles: string[]): RbacUser =>
  ({ name, password: `${name}-Pa55`, actor: { user: name, project, roles } });

export const RBAC_USERS: readonly RbacUser[] = [
  user('sys-admin', null, ['admin']), user('sys-member', null, ['member']), user('sys-reader', null, ['reader']),
  user('p-admin', 'proj-a', ['admin']), user('p-member', 'proj-a', ['member']), user('p-reader', 'proj-a', ['reader']),
  user('nobody', null, []),
];

/** The users file (docs/security.md format) for RBAC_USERS; `nobody` is left out on purpose. */
export const RBAC_USERS_YAML = RBAC_USERS.filter((u) => u.actor.roles.length > 0)
  .map((u) => `${u.name}:\n${u.actor.project ? `  project: ${u.actor.project}\n` : ''}  roles: [${u.actor.roles.join(', ')}]\n`).join('');

export const basicAuth = (u: Pick<RbacUser, 'name' | 'password'>) => ({ Authorization: `Basic ${Buffer.from(`${u.name}:${u.password}`).toString('base64')}` });
