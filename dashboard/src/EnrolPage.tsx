// Enrolment: a node from a driver listed by /v1/drivers, its driver_info fields from that driver's
// /properties (required ones marked, secrets as password inputs), properties with boot mode, and ports by MAC.
// The API's validation error is shown next to the field it names.
import { useMemo, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useLocation } from 'wouter';
import { api, ApiError, get, type Json } from './api';
import { ErrorBox } from './ui';

const SECRET = /password|secret|token|key/i;
const isRequired = (help: string) => /required/i.test(help) && !/not required|optional/i.test(help);

interface Form {
  name: string; driver: string; resource_class: string; conductor_group: string; description: string;
  driverInfo: Record<string, string>; cpus: string; memory_mb: string; local_gb: string; cpu_arch: string; boot_mode: string; macs: string;
}
const EMPTY: Form = { name: '', driver: '', resource_class: '', conductor_group: '', description: '', driverInfo: {}, cpus: '', memory_mb: '', local_gb: '', cpu_arch: '', boot_mode: '', macs: '' };

/** Which field an API message is about: the first field key it names. */
function fieldOf(message: string, keys: string[]): string {
  const lower = message.toLowerCase();
  if (/mac|address/.test(lower) && /port|mac/.test(lower)) return 'macs';
  return keys.find((k) => new RegExp(`\\b${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(message)) ?? '';
}

export function EnrolPage() {
  const [, navigate] = useLocation();
  const [f, setF] = useState<Form>(EMPTY);
  const [error, setError] = useState<{ field: string; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const drivers = useQuery({ queryKey: ['drivers'], queryFn: () => get<{ drivers: { name: string }[] }>('/v1/drivers') });
  const driver = f.driver || drivers.data?.drivers[0]?.name || '';
  const props = useQuery({ queryKey: ['driver-properties', driver], enabled: !!driver, queryFn: () => get<Record<string, string>>(`/v1/drivers/${encodeURIComponent(driver)}/properties`) });
  const infoKeys = useMemo(() => Object.entries(props.data ?? {}).sort(([a, ha], [b, hb]) => Number(isRequired(hb)) - Number(isRequired(ha)) || a.localeCompare(b)), [props.data]);

  const set = (k: keyof Form) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const fieldError = (k: string) => (error?.field === k ? <div className="field-error" role="alert">{(error.error as Error).message}</div> : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const driverInfo = Object.fromEntries(Object.entries(f.driverInfo).filter(([, v]) => v !== ''));
    const properties: Json = {};
    for (const k of ['cpus', 'memory_mb', 'local_gb'] as const) if (f[k]) properties[k] = Number(f[k]);
    if (f.cpu_arch) properties.cpu_arch = f.cpu_arch;
    if (f.boot_mode) properties.capabilities = `boot_mode:${f.boot_mode}`;
    const body: Json = { driver, driver_info: driverInfo, properties };
    for (const k of ['name', 'resource_class', 'conductor_group', 'description'] as const) if (f[k]) body[k] = f[k];
    const keys = ['name', 'resource_class', 'conductor_group', 'description', 'driver', ...Object.keys(props.data ?? {}), 'cpus', 'memory_mb', 'local_gb', 'cpu_arch', 'boot_mode'];
    let uuid: string | null = null;
    try {
      uuid = (await api<{ uuid: string }>('POST', '/v1/nodes', body)).uuid;
      for (const mac of f.macs.split(/[\s,]+/).filter(Boolean)) await api('POST', '/v1/ports', { node_uuid: uuid, address: mac });
      navigate(`/nodes/${uuid}`);
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      if (uuid) setError({ field: 'macs', error: new Error(`The node was enrolled (${uuid}), but a port was refused: ${message}`) });
      else setError({ field: fieldOf(message, keys), error: err });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page enrol-page">
      <h1>Enrol a node</h1>
      <form onSubmit={submit} className="enrol" aria-label="Enrol a node">
        {error && error.field === '' && <ErrorBox error={error.error} />}
        <fieldset>
          <legend>Node</legend>
          <label>Name<input name="name" value={f.name} onChange={set('name')} autoFocus /></label>{fieldError('name')}
          <label>Driver<select name="driver" value={driver} onChange={(e) => setF({ ...f, driver: e.target.value, driverInfo: {} })}>
            {drivers.data?.drivers.map((d) => <option key={d.name}>{d.name}</option>)}</select></label>{fieldError('driver')}
          <ErrorBox error={drivers.error ?? props.error} />
          <label>Resource class<input name="resource_class" value={f.resource_class} onChange={set('resource_class')} /></label>{fieldError('resource_class')}
          <label>Conductor group<input name="conductor_group" value={f.conductor_group} onChange={set('conductor_group')} /></label>{fieldError('conductor_group')}
          <label>Description<input name="description" value={f.description} onChange={set('description')} /></label>{fieldError('description')}
        </fieldset>
        <fieldset>
          <legend>driver_info for {driver}</legend>
          {infoKeys.map(([k, help]) => (
            <div key={k} className="field">
              <label><span>{k}{isRequired(help) && <abbr title="required" className="required"> *</abbr>}</span>
                <input name={`driver_info.${k}`} type={SECRET.test(k) ? 'password' : 'text'} autoComplete={SECRET.test(k) ? 'new-password' : 'off'}
                  value={f.driverInfo[k] ?? ''} onChange={(e) => setF({ ...f, driverInfo: { ...f.driverInfo, [k]: e.target.value } })} aria-describedby={`help-${k}`} /></label>
              <small id={`help-${k}`} className="muted">{help}</small>
              {fieldError(k)}
            </div>
          ))}
          {!infoKeys.length && <p className="muted">This driver reads no driver_info.</p>}
        </fieldset>
        <fieldset>
          <legend>Properties</legend>
          <label>CPUs<input name="cpus" inputMode="numeric" value={f.cpus} onChange={set('cpus')} /></label>{fieldError('cpus')}
          <label>Memory (MiB)<input name="memory_mb" inputMode="numeric" value={f.memory_mb} onChange={set('memory_mb')} /></label>{fieldError('memory_mb')}
          <label>Disk (GiB)<input name="local_gb" inputMode="numeric" value={f.local_gb} onChange={set('local_gb')} /></label>{fieldError('local_gb')}
          <label>CPU architecture<input name="cpu_arch" value={f.cpu_arch} onChange={set('cpu_arch')} placeholder="x86_64" /></label>
          <label>Boot mode<select name="boot_mode" value={f.boot_mode} onChange={set('boot_mode')}>
            <option value="">not set</option><option value="uefi">uefi</option><option value="bios">bios</option></select></label>{fieldError('boot_mode')}
        </fieldset>
        <fieldset>
          <legend>Ports</legend>
          <label>MAC addresses (one per line)<textarea name="macs" rows={3} value={f.macs} onChange={set('macs')} placeholder="52:54:00:12:34:56" /></label>
          {fieldError('macs')}
        </fieldset>
        <div className="row end"><button type="submit" disabled={busy || !driver}>Enrol</button></div>
      </form>
    </div>
  );
}
