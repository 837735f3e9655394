// Bits the allocation commands share.

import { seg } from '../../listing.js';

export function allocationPath(ident: string, suffix = ''): string {
  return `/v1/allocations/${seg(ident)}${suffix}`;
}
