// /v1/deploy_templates (1.55): create, show (by UUID or name), list, patch, delete.
import { Hono } from 'hono';
import type { DeployTemplateRecord } from '../../db/records.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import {
  createDeployTemplate, deleteDeployTemplate, findDeployTemplate, updateDeployTemplate,
} from '../../conductor/deploy-template-service.js';
import type { ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam } from '../fields.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources, requireVersionByMethod } from './collection.js';
import { resourceView } from './resource-view.js';
import { DEPLOY_TEMPLATE_FIELDS, DEPLOY_TEMPLATE_SHAPE } from './schemas/deploy-template-fields.js';

const view = (c: Ctx, template: DeployTemplateRecord, fields?: readonly string[]) =>
  resourceView(DEPLOY_TEMPLATE_SHAPE, template, { minor: c.get('minor'), base: c.get('base'), fields });

const gate = (c: Ctx) => requireVersionByMethod(c, 55, 'The API version does not allow deploy templates');

const find = (c: Ctx) => findDeployTemplate(c.get('deps').tables, c.req.param('ident')!);

export function deployTemplateRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/deploy_templates', (c) => {
    gate(c);
    const repo = c.get('deps').tables.deployTemplates;
    return listResources(c, { shape: DEPLOY_TEMPLATE_SHAPE, repo, detailPath: false, path: 'deploy_templates' });
  });

  r.post('/deploy_templates', async (c) => {
    gate(c);
    const input = parseCreateBody(await readJson(c), DEPLOY_TEMPLATE_FIELDS, c.get('minor'), 'template') as Partial<DeployTemplateRecord>;
    const template = await createDeployTemplate(c.get('deps'), input);
    c.header('Location', `${c.get('base')}/v1/deploy_templates/${template.uuid}`);
    return c.json(view(c, template), 201);
  });

  r.get('/deploy_templates/:ident', async (c) => {
    gate(c);
    const fields = parseFieldsParam(c.req.query('fields'), DEPLOY_TEMPLATE_FIELDS, c.get('minor'), ['links']);
    return c.json(view(c, await find(c), fields));
  });

  r.patch('/deploy_templates/:ident', async (c) => {
    gate(c);
    const template = await find(c);
    const body = await readJson(c);
    return c.json(view(c, await rewriteRecord(`deploy_templates:${template.id}`, async () => {
      const fresh = await findDeployTemplate(c.get('deps').tables, template.uuid);
      return updateDeployTemplate(c.get('deps'), fresh, patchChanges(fresh, body, DEPLOY_TEMPLATE_FIELDS, c.get('minor'), 'template'));
    })));
  });

  r.delete('/deploy_templates/:ident', async (c) => {
    gate(c);
    await deleteDeployTemplate(c.get('deps'), await find(c));
    return c.body(null, 204);
  });

  return r;
}
