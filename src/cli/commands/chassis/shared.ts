// Bits the chassis commands share.

import { seg } from '../../listing.js';

/** Keys the stock client hides when printing a chassis. */
export const CHASSIS_SHOW_DROP = ['links', 'nodes'] as const;

export function chassisPath(ident: string, suffix = ''): string {
  return `/v1/chassis/${seg(ident)}${suffix}`;
}
