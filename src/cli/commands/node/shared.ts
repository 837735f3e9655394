// Bits every node command shares: which response keys are hidden and how idents map to paths.

import { seg } from '../../listing.js';

/** Link arrays the stock client removes before printing a node. */
export const NODE_SHOW_DROP = ['links', 'ports', 'portgroups', 'states', 'volume'] as const;

export function nodePath(ident: string, suffix = ''): string {
  return `/v1/nodes/${seg(ident)}${suffix}`;
}
