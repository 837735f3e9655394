// Node view: every field the API returns (secrets arrive masked), the running action with its step, progress
// and time in state against the state's timeout, ports, driver_info / properties / instance_info, validation
// per interface and history. Live: any batch naming this node refetches it.
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { get, type Json, type Node } from './api';
import { onLiveBatch, pollMs, useLive } from './live';
import { Actions } from './Actions';
import { age, Badge, bytes, ErrorBox, KeyValues, PowerBadge, Section } from './ui';

type Validation = Record<string, { result: boolean | null; reason: string | null }>;

export function NodePage() {
  const { uuid } = useParams<{ uuid: string }>();
  const qc = useQueryClient();
  const live = useLive();
  const node = useQuery({ queryKey: ['node', uuid], refetchInterval: pollMs(live), queryFn: () => get<Node>(`/v1/nodes/${encodeURIComponent(uuid)}`) });
  const id = node.data?.uuid;
  const ports = useQuery({ queryKey: ['node', uuid, 'ports'], enabled: !!id, queryFn: () => get<{ ports: Json[] }>(`/v1/nodes/${id}/ports?detail=true`) });
  const validate = useQuery({ queryKey: ['node', uuid, 'validate'], enabled: !!id, queryFn: () => get<Validation>(`/v1/nodes/${id}/validate`) });
  const history = useQuery({ queryKey: ['node', uuid, 'history'], enabled: !!id, queryFn: () => get<{ history: Json[] }>(`/v1/nodes/${id}/history?detail=true`) });

  useEffect(() => onLiveBatch((b) => {
    if (!id) return;
    if (b.nodes?.some((n) => n.uuid === id)) void qc.invalidateQueries({ queryKey: ['node', uuid], exact: true });
    if (b.history?.some((h) => h.node_uuid === id)) void qc.invalidateQueries({ queryKey: ['node', uuid, 'history'] });
  }), [id, uuid, qc]);

  if (node.error) return <div className="page"><p><Link href="/">← Nodes</Link></p><ErrorBox error={node.error} /></div>;
  const n = node.data;
  if (!n) return <div className="page"><p className="muted">Loading…</p></div>;

  return (
    <div className="page node-page">
      <p><Link href="/">← Nodes</Link></p>
      <header className="node-head">
        <h1>{n.name ?? n.uuid}</h1>
        <code className="uuid">{n.uuid}</code>
        <span data-testid="provision-state"><Badge state={n.provision_state} /></span>
        {n.target_provision_state && <span className="muted">→ {n.target_provision_state}</span>}
        <span data-testid="power-state"><PowerBadge state={n.power_state} target={n.target_power_state} /></span>
        {n.maintenance && <span className="badge tone-wait" data-testid="maintenance">maintenance{n.maintenance_reason ? `: ${n.maintenance_reason}` : ''}</span>}
        {n.fault && <span className="badge tone-fail">{n.fault}</span>}
      </header>
      {n.last_error && <div className="error-box" data-testid="last-error"><strong>Last error:</strong> {n.last_error}</div>}

      <RunningAction node={n} />
      <Actions node={n} />

      <div className="columns">
        <Section title="Fields"><KeyValues data={Object.fromEntries(Object.entries(n).filter(([k, v]) => k !== 'links' && !(v && typeof v === 'object' && !Array.isArray(v)) && !Array.isArray(v)))} /></Section>
        <div>
          <Section title="Ports">
            {ports.data?.ports.length ? (
              <table className="kv"><thead><tr><th>MAC address</th><th>UUID</th><th>PXE</th></tr></thead>
                <tbody>{ports.data.ports.map((p) => <tr key={String(p.uuid)}><td><code>{String(p.address)}</code></td><td><code>{String(p.uuid)}</code></td><td>{p.pxe_enabled ? 'yes' : 'no'}</td></tr>)}</tbody></table>
            ) : <p className="muted">none</p>}
            <ErrorBox error={ports.error} />
          </Section>
          <Section title="Validation">
            <ErrorBox error={validate.error} />
            <table className="kv"><tbody>
              {Object.entries(validate.data ?? {}).map(([iface, r]) => (
                <tr key={iface}><th scope="row">{iface}</th>
                  <td><span className={`badge tone-${r.result === true ? 'ok' : r.result === false ? 'fail' : 'idle'}`}>{r.result === true ? 'ok' : r.result === false ? 'failed' : 'n/a'}</span> {r.reason}</td></tr>
              ))}
            </tbody></table>
          </Section>
          <Section title="driver_info"><KeyValues data={n.driver_info as Json} /></Section>
          <Section title="properties"><KeyValues data={n.properties as Json} /></Section>
          <Section title="instance_info"><KeyValues data={n.instance_info as Json} /></Section>
          <Section title="driver_internal_info"><KeyValues data={n.driver_internal_info} /></Section>
          <Section title="extra"><KeyValues data={n.extra as Json} /></Section>
        </div>
      </div>

      <Section title="History">
        <ErrorBox error={history.error} />
        <table className="kv history"><thead><tr><th>When</th><th>Severity</th><th>Type</th><th>Event</th></tr></thead>
          <tbody>{[...(history.data?.history ?? [])].reverse().map((h) => (
            <tr key={String(h.uuid)}><td>{String(h.created_at)}</td><td><span className={`badge tone-${h.severity === 'ERROR' ? 'fail' : 'info'}`}>{String(h.severity)}</span></td>
              <td>{String(h.event_type ?? '')}</td><td>{String(h.event)}</td></tr>
          ))}</tbody></table>
      </Section>
    </div>
  );
}

/** The current step, every progress report in driver_internal_info, and time in state against its timeout. */
function RunningAction({ node }: { node: Node }) {
  const live = useLive();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const step = node.deploy_step && Object.keys(node.deploy_step).length ? node.deploy_step : node.clean_step && Object.keys(node.clean_step).length ? node.clean_step : null;
  const progress = Object.entries(node.driver_internal_info ?? {}).filter(([k, v]) => /progress/.test(k) && v && typeof v === 'object') as [string, Json][];
  const timeout = live.waitTimeouts[node.provision_state];
  const inState = node.provision_updated_at ? (now - Date.parse(node.provision_updated_at)) / 1000 : null;
  // Progress records outlive their action (a failed deploy leaves its last figures): only a running action shows them.
  if (!node.target_provision_state && !step && !node.target_power_state) return null;
  return (
    <Section title="Running action">
      <dl className="inline">
        <dt>State</dt><dd><Badge state={node.provision_state} />{node.target_provision_state ? ` → ${node.target_provision_state}` : ''}</dd>
        {node.target_power_state && <><dt>Power</dt><dd>→ {node.target_power_state}</dd></>}
        <dt>In state for</dt><dd>{age(node.provision_updated_at, now)}{timeout ? ` of ${Math.round(timeout / 60)} min timeout` : ''}</dd>
        {step && <><dt>Step</dt><dd><code>{String(step.interface ?? '')}.{String(step.step ?? '')}</code> priority {String(step.priority ?? '')}</dd></>}
      </dl>
      {timeout && inState !== null && <progress max={timeout} value={Math.min(inState, timeout)} aria-label="Time in state against timeout" />}
      {progress.map(([k, p]) => <Progress key={k} name={k} p={p} />)}
    </Section>
  );
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * One progress record: the conductor's image download (`bytes_done`, `total_bytes`, `percent`, `updated_at`) or
 * the agent's image write and disk erase (`bytes_written`, `total_bytes`, `rate_bytes_per_s`; an erase nests its
 * figures under `progress` beside the step's name).
 */
function Progress({ name, p: record }: { name: string; p: Json }) {
  const p = record.progress && typeof record.progress === 'object' ? record.progress as Json : record;
  const done = num(p.bytes_done) ?? num(p.bytes_written);
  const total = num(p.total_bytes);
  const percent = num(p.percent) ?? (done !== null && total ? Math.floor((100 * done) / total) : null);
  const reported = num(p.rate_bytes_per_s) ?? num(p.rate);
  // Without a reported rate: from two successive reports of the same progress record.
  const [prev, setPrev] = useState<{ done: number; at: number } | null>(null);
  const [measured, setRate] = useState<number | null>(null);
  const rate = reported ?? measured;
  const at = typeof p.updated_at === 'string' ? Date.parse(p.updated_at) : NaN;
  useEffect(() => {
    if (done === null || Number.isNaN(at)) return;
    if (prev && at > prev.at && done >= prev.done) setRate(((done - prev.done) * 1000) / (at - prev.at));
    setPrev({ done, at });
  }, [done, at]);
  return (
    <div className="progress" data-testid={`progress-${name}`}>
      <label>{name.replace(/_/g, ' ')}: {bytes(done)}{total ? ` of ${bytes(total)}` : ''}{percent !== null ? ` (${percent}%)` : ''}{rate !== null ? `, ${bytes(rate)}/s` : ''}
        <progress max={100} value={percent ?? undefined} /></label>
      <KeyValues data={record} />
    </div>
  );
}
