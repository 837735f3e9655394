// ASCII tables in the layout the stock client prints (prettytable as driven by cliff): `+---+`
// rules, one space of padding, multi-line cells, and optional shrinking to a maximum width.

import { displayWidth, wrapLines } from './text.js';

export type Align = 'l' | 'r' | 'c';

export interface TableLayout {
  /** Maximum table width; 0 or less disables shrinking unless `fitWidth`. */
  readonly maxWidth: number;
  /** Shrink to the terminal width (`terminalWidth`) when no `maxWidth` is given. */
  readonly fitWidth: boolean;
  readonly terminalWidth?: number | undefined;
  /** Print the header and rules even when there are no rows. */
  readonly printEmpty: boolean;
}

function justify(text: string, width: number, align: Align): string {
  const excess = width - displayWidth(text);
  if (excess <= 0) return text;
  if (align === 'l') return text + ' '.repeat(excess);
  if (align === 'r') return ' '.repeat(excess) + text;
  // Same split as Python's str.center(): odd-length text gets the extra space on the right.
  const half = Math.floor(excess / 2);
  if (excess % 2 === 0) return ' '.repeat(half) + text + ' '.repeat(half);
  return displayWidth(text) % 2 === 1
    ? ' '.repeat(half) + text + ' '.repeat(half + 1)
    : ' '.repeat(half + 1) + text + ' '.repeat(half);
}

function blockWidth(cell: string): number {
  return Math.max(0, ...cell.split('\n').map(displayWidth));
}

/** Cell text as cliff hands it to prettytable: CR LF becomes LF, a lone CR a space. */
function normalizeCell(cell: string): string {
  return cell.replace(/\r\n/g, '\n').replace(/\r/g, ' ');
}

/**
 * Per-column width caps that bring the table under the target width, or undefined when it
 * already fits. Columns wider than an even share are shrunk; the last of them takes the rest.
 */
function shrinkCaps(naturalWidths: readonly number[], layout: TableLayout, minWidth: number): number[] | undefined {
  let target: number;
  if (layout.maxWidth > 0) target = layout.maxWidth;
  else if (!layout.fitWidth || !layout.terminalWidth) return undefined;
  else target = layout.terminalWidth;
  const count = naturalWidths.length;
  const tableWidth = naturalWidths.reduce((a, b) => a + b, 0) + 3 * count + 1;
  if (count === 0 || tableWidth <= target) return undefined;
  const usable = Math.max(0, target - 1 - 3 * count);
  const fair = Math.max(0, Math.floor(usable / count));
  const caps = naturalWidths.map(() => Number.POSITIVE_INFINITY);
  const shrink = naturalWidths.flatMap((w, i) => (w > fair ? [i] : []));
  let remaining = usable - naturalWidths.reduce((sum, w) => (w > fair ? sum : sum + w), 0);
  if (shrink.length === 0) return undefined;
  const each = Math.floor(remaining / shrink.length);
  shrink.forEach((col, idx) => {
    if (idx < shrink.length - 1) {
      caps[col] = Math.max(minWidth, each);
      remaining -= each;
    } else {
      caps[col] = Math.max(minWidth, remaining);
    }
  });
  return caps;
}

const orBlank = (lines: string[]): string[] => (lines.length > 0 ? lines : ['']);

/** Renders header + rows; returns '' for an empty table unless `printEmpty`. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  aligns: readonly Align[],
  layout: TableLayout,
  minWidth: number,
): string {
  if (rows.length === 0 && !layout.printEmpty) return '';
  const cells = rows.map((row) => row.map(normalizeCell));
  const natural = header.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => blockWidth(r[i] ?? ''))));
  const caps = shrinkCaps(natural, layout, minWidth);
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...cells.map((r) => Math.min(blockWidth(r[i] ?? ''), caps?.[i] ?? Infinity))),
  );
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (parts: readonly string[]): string =>
    '| ' + parts.map((p, i) => justify(p, widths[i] ?? 0, aligns[i] ?? 'l')).join(' | ') + ' |';
  const out = [rule, line(header.map((h, i) => h.slice(0, Math.max(widths[i] ?? 0, h.length)))), rule];
  for (const row of cells) {
    const wrapped = widths.map((w, i) =>
      (row[i] ?? '').split('\n').flatMap((l) => (displayWidth(l) > w ? orBlank(wrapLines(l, w)) : [l])),
    );
    const height = Math.max(1, ...wrapped.map((c) => c.length));
    for (let y = 0; y < height; y++) out.push(line(wrapped.map((c) => c[y] ?? '')));
  }
  out.push(rule);
  return out.join('\n');
}
