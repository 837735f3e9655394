// Where volume connectors and targets live in the API.

import { seg } from '../../listing.js';

export function targetPath(ident: string, suffix = ''): string {
  return `/v1/volume/targets/${seg(ident)}${suffix}`;
}

export function connectorPath(ident: string, suffix = ''): string {
  return `/v1/volume/connectors/${seg(ident)}${suffix}`;
}
