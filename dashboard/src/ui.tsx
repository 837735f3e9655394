// Small presentational pieces shared by the views: state badges, the API error box, key/value tables.
import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError } from './api';
import { toneOf } from './states';

export function Badge({ state, title }: { state: string | null | undefined; title?: string }) {
  return <span className={`badge tone-${toneOf(state)}`} title={title}>{state ?? 'none'}</span>;
}

export function PowerBadge({ state, target }: { state: string | null | undefined; target?: string | null }) {
  const tone = state === 'power on' ? 'ok' : state === 'power off' ? 'idle' : 'info';
  return <span className={`badge tone-${tone}`}>{state ?? 'unknown'}{target ? ` → ${target}` : ''}</span>;
}

/** The API's error as the API gives it (its faultstring), with the request that got it. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Error;
  return (
    <div role="alert" className="error-box">
      {e instanceof ApiError ? <><strong>{e.status}</strong> {e.message} <small>({e.method} {e.path})</small></> : e.message}
    </div>
  );
}

export function KeyValues({ data }: { data: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(data ?? {});
  if (!entries.length) return <p className="muted">none</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}><th scope="row">{k}</th><td><code>{typeof v === 'string' ? v : JSON.stringify(v)}</code></td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head"><h2>{title}</h2>{actions}</header>
      {children}
    </section>
  );
}

/** A modal confirmation built on the native <dialog> (focus trap and Escape come from the browser). */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel }: {
  open: boolean; title: string; children?: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onCancel} aria-label={title}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }}>
        <h2>{title}</h2>
        {children}
        <div className="row end">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="submit" className="danger">{confirmLabel}</button>
        </div>
      </form>
    </dialog>
  );
}

export function age(since: string | null | undefined, now = Date.now()): string {
  if (!since) return '';
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}
