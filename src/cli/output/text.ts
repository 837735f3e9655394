// Terminal text helpers: display width of a string and greedy word wrapping in the manner of
// Python's textwrap.fill, which prettytable and ironicclient use for wrapped cells and messages.

// Code points that occupy two terminal columns (East Asian wide/fullwidth, emoji blocks).
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60],
  [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2028-\u202e\u2060-\u2063\ufeff]/u;

function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0 || ZERO_WIDTH.test(ch)) return 0;
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp >= lo && cp <= hi) return 2;
  }
  return 1;
}

/** Number of terminal columns `s` occupies (single line). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** Splits text into words and whitespace runs; words also break after an inner hyphen ("foo-bar"). */
function chunksOf(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/( +)/)) {
    if (part === '') continue;
    if (part.startsWith(' ')) {
      out.push(part);
      continue;
    }
    // A hyphen is a break point only between letters ("goof-ball"); digits keep "2026-11" whole.
    out.push(...part.split(/(?<=(?:[\p{L}_]{2}|[\p{L}_]-[\p{L}_])-)(?=[\p{L}_]-?[\p{L}_])/u));
  }
  return out;
}

/**
 * Greedy wrap to `width` columns: whitespace becomes spaces, trailing spaces of each line are
 * dropped, leading spaces of continuation lines are dropped, over-long words are cut.
 */
export function wrapLines(text: string, width: number): string[] {
  const normalized = text.replace(/\t/g, '        ').replace(/[\n\r\v\f]/g, ' ');
  const chunks = chunksOf(normalized).reverse();
  const lines: string[] = [];
  const limit = Math.max(1, width);
  while (chunks.length > 0) {
    const cur: string[] = [];
    let curLen = 0;
    if (lines.length > 0 && chunks[chunks.length - 1]?.trim() === '') chunks.pop();
    while (chunks.length > 0) {
      const next = chunks[chunks.length - 1] as string;
      const len = displayWidth(next);
      if (curLen + len <= limit) {
        cur.push(next);
        curLen += len;
        chunks.pop();
      } else {
        break;
      }
    }
    const next = chunks[chunks.length - 1];
    if (next !== undefined && displayWidth(next) > limit) {
      // textwrap appends the cut piece even when it is empty, so a trailing space before an
      // over-long word survives (only the last piece is checked for whitespace below).
      const room = limit - curLen;
      const chars = [...next];
      let taken = '';
      let used = 0;
      while (chars.length > 0 && used + charWidth(chars[0] as string) <= room) {
        const ch = chars.shift() as string;
        taken += ch;
        used += charWidth(ch);
      }
      // Prefer cutting just after the last hyphen that fits, if text precedes it.
      const hyphen = taken.lastIndexOf('-');
      if (chars.length > 0 && hyphen > 0 && /[^-]/.test(taken.slice(0, hyphen))) {
        chars.unshift(...taken.slice(hyphen + 1));
        taken = taken.slice(0, hyphen + 1);
      }
      // A double-width character wider than the whole line still has to go somewhere.
      if (taken === '' && cur.length === 0) taken = chars.shift() ?? '';
      cur.push(taken);
      if (chars.length > 0) chunks[chunks.length - 1] = chars.join('');
      else chunks.pop();
    }
    if (cur.length > 0 && cur[cur.length - 1]?.trim() === '') cur.pop();
    if (cur.length > 0) lines.push(cur.join(''));
  }
  return lines;
}

/** textwrap.fill equivalent: wrapped lines joined with newlines. */
export function fill(text: string, width: number): string {
  return wrapLines(text, width).join('\n');
}
