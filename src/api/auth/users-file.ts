// The small users file that gives htpasswd users their project and roles (Keystone's job in a full cloud):
//
//   alice:                 # user name as in the htpasswd file
//     project: tenant-a    # owner/lessee value of the nodes this user may see; omit for a system user
//     roles: [member]      # admin, member, reader
//
// Without such a file every authenticated user is a system admin, as in Ironic's own http_basic mode. With it,
// a user it does not list is authenticated but has no role, so every policy rule refuses them.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../common/config.js';
import type { Actor } from '../../common/request-actor.js';

export const ROLES = ['admin', 'member', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export type UserDirectory = (user: string) => Actor;

export const SYSTEM_ADMIN_DIRECTORY: UserDirectory = (user) => ({ user, project: null, roles: ['admin'] });

export function parseUsersFile(text: string, source: string): UserDirectory {
  const doc: unknown = parseYaml(text);
  if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) throw new ConfigError(`${source} must map user names to {project, roles}`);
  const users = new Map<string, Actor>();
  for (const [user, entry] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${source}: user ${user} must map to {project, roles}`);
    const { project, roles, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new ConfigError(`${source}: user ${user} has unknown keys ${unknown.join(', ')} (only project and roles)`);
    if (project !== undefined && project !== null && (typeof project !== 'string' || project === '')) {
      throw new ConfigError(`${source}: project of user ${user} must be a non-empty string`);
    }
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
      throw new ConfigError(`${source}: roles of user ${user} must be a list of ${ROLES.join(', ')}`);
    }
    users.set(user, Object.freeze({ user, project: (project as string | undefined) ?? null, roles: Object.freeze([...roles as string[]]) }));
  }
  return (user) => users.get(user) ?? { user, project: null, roles: [] };
}

export function loadUsersFile(path: string): UserDirectory {
  if (!path) return SYSTEM_ADMIN_DIRECTORY;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read authUsersFile ${path}: ${(err as Error).message}`);
  }
  return parseUsersFile(text, path);
}
