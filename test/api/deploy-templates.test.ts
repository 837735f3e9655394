// /v1/deploy_templates on every store: shapes and key order, the name and step rules, duplicates, PATCH with
// re-validation, version gates, and refusals that leave the store untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });
const step = (over: Record<string, unknown> = {}) => ({ interface: 'raid', step: 'create_configuration', args: { logical_disks: [] }, priority: 10, ...over });

let seq = 0;
const traitName = () => `CUSTOM_TPL_${++seq}`;

describe.each(DIALECTS)('deploy templates API (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  const newTemplate = async (body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/deploy_templates', { name: traitName(), steps: [step()], ...body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  describe('create and read', () => {
    it('answers 201 with the full object in Ironic key order, a Location and masked step arguments', async () => {
      const name = traitName();
      const res = await api.post('/v1/deploy_templates', {
        name, description: 'RAID-1 root', extra: { team: 'a' },
        steps: [step({ priority: '5' }), { interface: 'bios', step: 'apply_configuration', args: { settings: [], admin_password: 'hunter2' }, priority: 0 }],
      });
      expect(res.status, res.text).toBe(201);
      expect(Object.keys(res.body)).toEqual(['uuid', 'created_at', 'updated_at', 'name', 'extra', 'description', 'links', 'steps']);
      expect(res.headers.get('location')).toBe(`http://127.0.0.1:6385/v1/deploy_templates/${res.body.uuid}`);
      expect(res.body).toMatchObject({ name, description: 'RAID-1 root', extra: { team: 'a' }, updated_at: null });
      // A priority given as a string of digits is stored as the integer.
      expect(res.body.steps).toEqual([
        { interface: 'raid', step: 'create_configuration', args: { logical_disks: [] }, priority: 5 },
        { interface: 'bios', step: 'apply_configuration', args: { settings: [], admin_password: '******' }, priority: 0 },
      ]);
      expect(res.body.links).toEqual([
        { href: `http://127.0.0.1:6385/v1/deploy_templates/${res.body.uuid}`, rel: 'self' },
        { href: `http://127.0.0.1:6385/deploy_templates/${res.body.uuid}`, rel: 'bookmark' }]);
      // The secret is kept, only hidden.
      const stored = await api.tables.deployTemplates.findBy('uuid', res.body.uuid);
      expect(stored!.steps[1]!.args.admin_password).toBe('hunter2');
      expect((await api.get(`/v1/deploy_templates/${res.body.uuid}`)).body).toEqual(res.body);
      expect((await api.get(`/v1/deploy_templates/${name}`)).body).toEqual(res.body);
    });

    it('accepts a UUID of the client and explicit nulls for optional fields', async () => {
      const uuid = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
      const t = await newTemplate({ uuid: uuid.toUpperCase(), description: null, extra: null });
      expect(t).toMatchObject({ uuid, description: null, extra: {} });
    });

    it('lists uuid and name by default, everything with detail, a selection with fields, and pages', async () => {
      const a = await newTemplate();
      const b = await newTemplate();
      const list = await api.get('/v1/deploy_templates');
      expect(list.status).toBe(200);
      const entry = list.body.deploy_templates.find((t: { uuid: string }) => t.uuid === a.uuid);
      expect(entry).toEqual({ uuid: a.uuid, name: a.name, links: a.links });
      const detail = await api.get('/v1/deploy_templates?detail=true');
      expect(detail.body.deploy_templates.find((t: { uuid: string }) => t.uuid === b.uuid)).toEqual(b);
      const only = await api.get(`/v1/deploy_templates/${a.uuid}?fields=steps`);
      expect(only.body).toEqual({ steps: a.steps, links: a.links });
      const page = await api.get('/v1/deploy_templates?limit=1');
      expect(page.body.deploy_templates).toHaveLength(1);
      expect(page.body.next).toBe(`http://127.0.0.1:6385/v1/deploy_templates?limit=1&marker=${page.body.deploy_templates[0].uuid}`);
      const sorted = await api.get('/v1/deploy_templates?sort_key=name&sort_dir=desc');
      const names = sorted.body.deploy_templates.map((t: { name: string }) => t.name);
      expect(names).toEqual([...names].sort().reverse());
      expectIronicError(await api.get('/v1/deploy_templates?sort_key=steps'), 400, 'The sort_key value "steps" is an invalid field for sorting');
      expectIronicError(await api.get('/v1/deploy_templates?fields=bogus'), 400, 'Field bogus is not a valid field.');
    });

    it('answers 404 for an unknown template and 400 for an ident that is neither UUID nor name', async () => {
      expectIronicError(await api.get('/v1/deploy_templates/CUSTOM_NOPE'), 404, 'Deploy template CUSTOM_NOPE could not be found.');
      expectIronicError(await api.get('/v1/deploy_templates/bad%20name'), 400, 'Expected a logical name or UUID but received bad name.');
    });
  });

  describe('refusals', () => {
    it('duplicate names and UUIDs are 409', async () => {
      const t = await newTemplate();
      await expectRefused(api, () => api.post('/v1/deploy_templates', { name: t.name, steps: [step()] }), 409,
        `A deploy template with name ${t.name} already exists.`);
      await expectRefused(api, () => api.post('/v1/deploy_templates', { uuid: t.uuid, name: traitName(), steps: [step()] }), 409,
        `A deploy template with UUID ${t.uuid} already exists.`);
    });

    it.each([
      ['a name that is not a trait', { name: 'raid-1' }, /^Schema error for template: 'raid-1' is not valid/],
      ['a lower-case custom trait', { name: 'CUSTOM_raid' }, /is not valid under any of the given schemas/],
      ['no steps', { steps: [] }, 'Schema error for template: [] is too short'],
      ['a step of an unknown interface', { steps: [step({ interface: 'vendor' })] }, /'vendor' is not one of \['power', 'management', 'deploy'/],
      ['a step without args', { steps: [{ interface: 'raid', step: 'x', priority: 1 }] }, "Schema error for template: 'args' is a required property"],
      ['a step with an unknown key', { steps: [step({ when: 'now' })] }, /Additional properties are not allowed \('when' was unexpected\)/],
      ['a negative priority', { steps: [step({ priority: -1 })] }, /-1 is not valid under any of the given schemas/],
      ['args that are not an object', { steps: [step({ args: [] })] }, /\[\] is not of type 'object'/],
      ['an empty step name', { steps: [step({ step: '' })] }, /'' is not a non-empty string/],
      ['an unknown field', { bogus: 1 }, /Additional properties are not allowed \('bogus' was unexpected\)/],
      ['a description that is too long', { description: 'x'.repeat(256) }, /description is longer than 255 characters/],
    ])('refuses %s with 400', async (_what, body, message) => {
      await expectRefused(api, () => api.post('/v1/deploy_templates', { name: traitName(), steps: [step()], ...body }), 400, message);
    });

    it('refuses the same (interface, step) twice, naming the duplicates', async () => {
      await expectRefused(api, () => api.post('/v1/deploy_templates', { name: traitName(), steps: [step(), step({ priority: 20 })] }), 400,
        'Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface ' +
        'and step. Duplicates: interface: raid, step: create_configuration.');
    });

    it('requires name and steps', async () => {
      await expectRefused(api, () => api.post('/v1/deploy_templates', { name: traitName() }), 400, "Schema error for template: 'steps' is a required property");
      await expectRefused(api, () => api.post('/v1/deploy_templates', { steps: [step()] }), 400, "Schema error for template: 'name' is a required property");
    });
  });

  describe('update and delete', () => {
    it('patches name, extra, description and single step members, re-validating the result', async () => {
      const t = await newTemplate();
      const renamed = traitName();
      const res = await api.patch(`/v1/deploy_templates/${t.uuid}`, [
        { op: 'replace', path: '/name', value: renamed },
        { op: 'add', path: '/extra/owner', value: 'ops' },
        { op: 'replace', path: '/description', value: 'changed' },
        { op: 'replace', path: '/steps/0/priority', value: 42 },
        { op: 'add', path: '/steps/-', value: step({ interface: 'deploy', step: 'write_image' }) },
      ]);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ name: renamed, extra: { owner: 'ops' }, description: 'changed' });
      expect(res.body.steps.map((s: { priority: number }) => s.priority)).toEqual([42, 10]);
      expect(res.body.updated_at).not.toBeNull();
      expect((await api.get(`/v1/deploy_templates/${renamed}`)).body).toEqual(res.body);
    });

    it('refuses patches that break the rules, and leaves the template as it was', async () => {
      const t = await newTemplate();
      const other = await newTemplate();
      const patch = (ops: unknown) => () => api.patch(`/v1/deploy_templates/${t.uuid}`, ops);
      await expectRefused(api, patch([{ op: 'replace', path: '/name', value: 'not-a-trait' }]), 400, /is not valid under any of the given schemas/);
      await expectRefused(api, patch([{ op: 'replace', path: '/name', value: other.name }]), 409, `A deploy template with name ${other.name} already exists.`);
      await expectRefused(api, patch([{ op: 'remove', path: '/steps/0' }]), 400, 'Schema error for template: [] is too short');
      await expectRefused(api, patch([{ op: 'add', path: '/steps/-', value: step() }]), 400, /Duplicate deploy steps/);
      await expectRefused(api, patch([{ op: 'replace', path: '/steps/0/interface', value: 'nope' }]), 400, /'nope' is not one of/);
      await expectRefused(api, patch([{ op: 'replace', path: '/uuid', value: other.uuid }]), 400, /^Cannot patch \/uuid/);
      await expectRefused(api, patch([{ op: 'move', path: '/name', from: '/extra' }]), 400);
    });

    it('deletes by name or UUID', async () => {
      const a = await newTemplate();
      const b = await newTemplate();
      expect((await api.del(`/v1/deploy_templates/${a.name}`)).status).toBe(204);
      expect((await api.del(`/v1/deploy_templates/${b.uuid}`)).status).toBe(204);
      expectIronicError(await api.get(`/v1/deploy_templates/${a.uuid}`), 404, `Deploy template ${a.uuid} could not be found.`);
      expectIronicError(await api.del(`/v1/deploy_templates/${b.uuid}`), 404);
    });
  });

  describe('microversions', () => {
    it('does not exist before 1.55: GET is 404, other methods 405', async () => {
      const t = await newTemplate();
      expectIronicError(await api.get('/v1/deploy_templates', at('1.54')), 404, 'The API version does not allow deploy templates');
      expectIronicError(await api.get(`/v1/deploy_templates/${t.uuid}`, at('1.54')), 404);
      await expectRefused(api, () => api.post('/v1/deploy_templates', { name: traitName(), steps: [step()] }, at('1.54')), 405,
        'The API version does not allow deploy templates');
      await expectRefused(api, () => api.patch(`/v1/deploy_templates/${t.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }], at('1.54')), 405);
      await expectRefused(api, () => api.del(`/v1/deploy_templates/${t.uuid}`, at('1.54')), 405);
      expect((await api.get('/v1/deploy_templates', at('1.55'))).status).toBe(200);
      expect((await api.get('/v1/', at('1.55'))).body).toHaveProperty('deploy_templates');
      expect((await api.get('/v1/', at('1.54'))).body).not.toHaveProperty('deploy_templates');
    });
  });
});
