// Steps most resource commands share: printing one object or rows with the chosen formatter,
// deleting several idents with per-item reporting, and sending a JSON Patch.

import type { Command } from 'commander';
import type { PatchOp } from '../args.js';
import { CliError } from '../errors.js';
import { showColumns, type ApiObject } from '../listing.js';
import { emitList, emitOne } from '../output/format.js';
import { outputOptions } from '../output/options.js';
import type { Runtime } from '../runtime.js';

/** Prints an object as Field/Value pairs (sorted keys) without the `drop` keys. */
export function printObject(rt: Runtime, cmd: Command, obj: ApiObject, drop: readonly string[] = []): void {
  const [names, values] = showColumns(obj, drop);
  emitOne(rt.io.stdout, outputOptions(cmd.opts(), rt), names, values);
}

/**
 * What the stock client prints after a create: every field of the resource's detailed set, `''` for one the
 * answer lacks. Returns that object so a caller can add fields before printing it.
 */
export function withFields(obj: unknown, fields: readonly string[]): Record<string, unknown> {
  const o = (obj ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, f in o ? o[f] : '']));
}

/** Prints rows under column headers. */
export function printRows(rt: Runtime, cmd: Command, labels: readonly string[], rows: readonly (readonly unknown[])[]): void {
  emitList(rt.io.stdout, (t) => rt.io.stderr(t), outputOptions(cmd.opts(), rt), labels, rows);
}

/**
 * Deletes each ident in turn, printing "Deleted <what> <ident>"; failures are collected and
 * reported together at the end so one bad ident does not stop the others.
 */
export async function deleteEach(
  rt: Runtime,
  cmd: Command,
  what: string,
  idents: readonly string[],
  pathOf: (ident: string) => string,
  failureSeparator = ': ',
): Promise<void> {
  const client = rt.client(cmd);
  const failures: string[] = [];
  for (const ident of idents) {
    try {
      await client.delete(pathOf(ident));
      rt.io.stdout(`Deleted ${what} ${ident}\n`);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      failures.push(`Failed to delete ${what} ${ident}${failureSeparator}${err.message}`);
    }
  }
  if (failures.length > 0) throw new CliError(failures.join('\n'));
}

/** PATCHes `path` with `ops`, or warns (like the stock client) when there is nothing to change. */
export async function sendPatch(
  rt: Runtime,
  cmd: Command,
  path: string,
  ops: readonly PatchOp[],
  verb: 'set' | 'unset',
): Promise<void> {
  if (ops.length === 0) {
    rt.warn(`Please specify what to ${verb}.`);
    return;
  }
  await rt.client(cmd).patch(path, ops);
}
