// Where a volume connector lives in the API.

import { seg } from '../../listing.js';

export function connectorPath(ident: string, suffix = ''): string {
  return `/v1/volume/connectors/${seg(ident)}${suffix}`;
}
