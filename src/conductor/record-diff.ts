// Which of the requested changes really change a record: an update that changes nothing must not bump
// `updated_at` (Ironic only saves changed fields).

export function changedFields<R extends object>(record: R, changes: Partial<R>): Partial<R> {
  const out: Partial<R> = {};
  for (const key of Object.keys(changes) as (keyof R)[]) {
    if (JSON.stringify(changes[key]) !== JSON.stringify(record[key])) out[key] = changes[key];
  }
  return out;
}
