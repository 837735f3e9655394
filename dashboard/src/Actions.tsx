// Actions on one node through the public API: power, boot device, maintenance, provision verbs (deploy with an
// image URL and checksum, clean with steps, rescue with a password). Destructive verbs ask first; the API's
// error is shown as it came; the live stream then shows the node moving.
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type Json, type Node } from './api';
import { DESTRUCTIVE, VERB_LABEL, verbsFor, type Verb } from './states';
import { Confirm, ErrorBox, Section } from './ui';

const BOOT_DEVICES = ['pxe', 'disk', 'cdrom', 'bios', 'safe'];
const DEFAULT_CLEAN_STEPS = '[{"interface": "deploy", "step": "erase_devices_metadata"}]';

export function Actions({ node }: { node: Node }) {
  const qc = useQueryClient();
  const path = `/v1/nodes/${node.uuid}`;
  const [pending, setPending] = useState<{ label: string; run: () => Promise<unknown> } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: async (a: { label: string; run: () => Promise<unknown> }) => {
      await a.run();
      return a.label;
    },
    onSuccess: (label) => setDone(`${label}: accepted`),
    onSettled: () => qc.invalidateQueries({ queryKey: ['node', node.uuid] }),
  });
  const run = (label: string, fn: () => Promise<unknown>, confirm = false) => {
    setDone(null);
    if (confirm) setPending({ label, run: fn });
    else act.mutate({ label, run: fn });
  };
  const provision = (target: Verb, extra: Json = {}) => () => api('PUT', `${path}/states/provision`, { target, ...extra });
  const power = (target: string) => () => api('PUT', `${path}/states/power`, { target });

  const [reason, setReason] = useState('');
  const [bootDevice, setBootDevice] = useState('pxe');
  const [persistent, setPersistent] = useState(false);
  const [image, setImage] = useState({ url: '', checksum: '', algo: '', hash: '' });
  const [cleanSteps, setCleanSteps] = useState(DEFAULT_CLEAN_STEPS);
  const [rescuePassword, setRescuePassword] = useState('');
  const verbs = verbsFor(node.provision_state);

  // Deploy and adopt both name the image (adoption records what the machine already runs); the button pressed decides.
  const imageVerbs = verbs.filter((v): v is 'active' | 'adopt' => v === 'active' || v === 'adopt');
  const withImage = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const verb: 'active' | 'adopt' = submitter?.value === 'adopt' ? 'adopt' : 'active';
    const patch: Json[] = [{ op: 'add', path: '/instance_info/image_source', value: image.url }];
    if (image.checksum) patch.push({ op: 'add', path: '/instance_info/image_checksum', value: image.checksum });
    if (image.algo && image.hash) {
      patch.push({ op: 'add', path: '/instance_info/image_os_hash_algo', value: image.algo });
      patch.push({ op: 'add', path: '/instance_info/image_os_hash_value', value: image.hash });
    }
    run(VERB_LABEL[verb], async () => {
      await api('PATCH', path, patch);
      await provision(verb)();
    });
  };

  const verbRun = (v: Verb) => {
    // Parsed when sent, so bad JSON shows as the action's error.
    if (v === 'clean') return async () => provision('clean', { clean_steps: JSON.parse(cleanSteps) as unknown })();
    if (v === 'rescue') {
      return async () => {
        await provision('rescue', { rescue_password: rescuePassword })();
        // Sent and stored (masked) by the service: the page keeps no copy.
        setRescuePassword('');
      };
    }
    return provision(v);
  };

  return (
    <Section title="Actions">
      <div className="actions">
        <fieldset>
          <legend>Power</legend>
          <button type="button" onClick={() => run('Power on', power('power on'))}>Power on</button>
          <button type="button" onClick={() => run('Power off', power('power off'), true)}>Power off</button>
          <button type="button" onClick={() => run('Reboot', power('rebooting'), true)}>Reboot</button>
        </fieldset>
        <fieldset>
          <legend>Boot device</legend>
          <label>Device<select value={bootDevice} onChange={(e) => setBootDevice(e.target.value)}>{BOOT_DEVICES.map((d) => <option key={d}>{d}</option>)}</select></label>
          <label className="check"><input type="checkbox" checked={persistent} onChange={(e) => setPersistent(e.target.checked)} /> persistent</label>
          <button type="button" onClick={() => run('Set boot device', () => api('PUT', `${path}/management/boot_device`, { boot_device: bootDevice, persistent }))}>Set</button>
        </fieldset>
        <fieldset>
          <legend>Maintenance</legend>
          {node.maintenance
            ? <button type="button" onClick={() => run('Maintenance off', () => api('DELETE', `${path}/maintenance`))}>Maintenance off</button>
            : <>
              <label>Reason<input value={reason} onChange={(e) => setReason(e.target.value)} /></label>
              <button type="button" onClick={() => run('Maintenance on', () => api('PUT', `${path}/maintenance`, reason ? { reason } : {}))}>Maintenance on</button>
            </>}
        </fieldset>
        <fieldset>
          <legend>Provisioning</legend>
          {verbs.filter((v) => v !== 'active' && v !== 'adopt').map((v) => (
            <button type="button" key={v} className={DESTRUCTIVE.has(v) ? 'danger' : ''} onClick={() => run(VERB_LABEL[v], verbRun(v), DESTRUCTIVE.has(v))}>{VERB_LABEL[v]}</button>
          ))}
          {!verbs.length && <span className="muted">No provisioning action from “{node.provision_state}”.</span>}
          {verbs.includes('clean') && <label>Clean steps (JSON)<textarea rows={2} value={cleanSteps} onChange={(e) => setCleanSteps(e.target.value)} /></label>}
          {verbs.includes('rescue') && <label>Rescue password<input type="password" autoComplete="new-password" value={rescuePassword} onChange={(e) => setRescuePassword(e.target.value)} /></label>}
        </fieldset>
        {imageVerbs.length > 0 && (
          <form className="deploy" onSubmit={withImage} aria-label={imageVerbs.map((v) => VERB_LABEL[v]).join(' or ')}>
            <fieldset>
              <legend>{imageVerbs.includes('active') ? 'Deploy' : 'Adopt'} (image)</legend>
              <label>Image URL<input required type="url" value={image.url} onChange={(e) => setImage({ ...image, url: e.target.value })} placeholder="http://…/image.qcow2" /></label>
              <label>Checksum (or its URL)<input value={image.checksum} onChange={(e) => setImage({ ...image, checksum: e.target.value })} /></label>
              <label>Hash algorithm<select value={image.algo} onChange={(e) => setImage({ ...image, algo: e.target.value })}>
                <option value="">—</option>{['sha256', 'sha512', 'md5'].map((a) => <option key={a}>{a}</option>)}</select></label>
              <label>Hash value<input value={image.hash} onChange={(e) => setImage({ ...image, hash: e.target.value })} /></label>
              {imageVerbs.map((v) => <button type="submit" key={v} value={v}>{VERB_LABEL[v]}</button>)}
            </fieldset>
          </form>
        )}
      </div>
      <ErrorBox error={act.error} />
      {done && <p role="status" className="ok-text">{done}</p>}
      <Confirm open={!!pending} title={`${pending?.label ?? ''} node ${node.name ?? node.uuid}?`} confirmLabel={pending?.label ?? 'Confirm'}
        onCancel={() => setPending(null)} onConfirm={() => { if (pending) act.mutate(pending); setPending(null); }}>
        <p>This interrupts or removes what runs on the node.</p>
      </Confirm>
    </Section>
  );
}
