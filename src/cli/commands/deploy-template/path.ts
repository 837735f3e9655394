// Where a deploy template lives in the API.

import { seg } from '../../listing.js';

export function deployTemplatePath(ident: string, suffix = ''): string {
  return `/v1/deploy_templates/${seg(ident)}${suffix}`;
}
