// Bits the port commands share.

import { seg } from '../../listing.js';

export function portPath(ident: string, suffix = ''): string {
  return `/v1/ports/${seg(ident)}${suffix}`;
}
