// Bits the port group commands share.

import { seg } from '../../listing.js';

/** Keys the stock client hides when printing a port group. */
export const PORTGROUP_SHOW_DROP = ['links', 'ports'] as const;

export function portgroupPath(ident: string, suffix = ''): string {
  return `/v1/portgroups/${seg(ident)}${suffix}`;
}
