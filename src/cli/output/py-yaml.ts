// YAML text as PyYAML's safe_dump(default_flow_style=False) writes it: sorted keys, indentless
// sequences under keys, quoting chosen by YAML 1.1 implicit typing, and folding past column 80.

import { pyFloatRepr } from './python-repr.js';

const BEST_WIDTH = 80;
const BREAKS = '\n\x85\u2028\u2029';
const BLANKS = '\0 \t\r\n\x85\u2028\u2029';

// Plain scalars matching one of these would read back as another type (YAML 1.1 as PyYAML
// resolves it), so such strings must be quoted.
const IMPLICIT_TYPES: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\x0c': 'f', '\r': 'r',
  '\x1b': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

type Style = 'plain' | 'single' | 'double';

/** Which quoting PyYAML picks for a string in block context (keys forbid multi-line quoting). */
export function chooseStyle(s: string, isKey: boolean): Style {
  const chars = [...s];
  if (chars.length === 0) return 'single';
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let trailingSpace = false;
  let leadingBreak = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  let precededByWs = true;
  chars.forEach((ch, i) => {
    const next = chars[i + 1];
    const followedByWs = next === undefined || BLANKS.includes(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followedByWs) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWs) blockIndicators = true;
      if (ch === '#' && precededByWs) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0) ?? 0;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = BLANKS.includes(ch);
  });
  let plain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let single = true;
  if (breakSpace) plain = single = false;
  if (spaceBreak || special) plain = single = false;
  if (lineBreaks || blockIndicators) plain = false;
  if (plain && !IMPLICIT_TYPES.some((re) => re.test(s))) return 'plain';
  if (single && !(isKey && lineBreaks)) return 'single';
  return 'double';
}

/** Accumulates output while tracking the column the way PyYAML's emitter does (code points). */
class Writer {
  text = '';
  column = 0;
  write(s: string): void {
    this.text += s;
    this.column += [...s].length;
  }
  newline(indent: number): void {
    this.text += '\n' + ' '.repeat(indent);
    this.column = indent;
  }
}

function writePlain(w: Writer, chars: string[], indent: number, split: boolean): void {
  let start = 0;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    const prev = chars[end - 1];
    if (prev === ' ' && ch !== ' ') {
      if (start + 1 === end && w.column > BEST_WIDTH && split) w.newline(indent);
      else w.write(chars.slice(start, end).join(''));
      start = end;
    } else if (prev !== ' ' && (ch === undefined || ch === ' ')) {
      w.write(chars.slice(start, end).join(''));
      start = end;
    }
  }
}

function writeSingleQuoted(w: Writer, chars: string[], indent: number, split: boolean): void {
  w.write("'");
  let start = 0;
  let spaces = false;
  let breaks = false;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    if (spaces) {
      if (ch !== ' ') {
        if (start + 1 === end && w.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
          w.newline(indent);
        } else {
          w.write(chars.slice(start, end).join(''));
        }
        start = end;
      }
    } else if (breaks) {
      if (ch === undefined || !BREAKS.includes(ch)) {
        // A quoted line break is written as an empty line, then the text resumes indented.
        if (chars[start] === '\n') w.text += '\n';
        w.text += chars.slice(start, end).map((br) => (br === '\n' ? '\n' : br)).join('');
        w.text += ' '.repeat(indent);
        w.column = indent;
        start = end;
      }
    } else if (ch === undefined || ch === ' ' || ch === "'" || BREAKS.includes(ch)) {
      if (start < end) w.write(chars.slice(start, end).join(''));
      start = end;
    }
    if (ch === "'") {
      w.write("''");
      start = end + 1;
    }
    if (ch !== undefined) {
      spaces = ch === ' ';
      breaks = BREAKS.includes(ch);
    }
  }
  w.write("'");
}

function escapeChar(ch: string): string {
  const short = ESCAPES[ch];
  if (short !== undefined) return '\\' + short;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return '\\x' + cp.toString(16).toUpperCase().padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  return '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
}

function writeDoubleQuoted(w: Writer, chars: string[], indent: number, split: boolean): void {
  w.write('"');
  let start = 0;
  for (let end = 0; end <= chars.length; end++) {
    const ch = chars[end];
    const cp = ch?.codePointAt(0) ?? 0;
    if (ch === undefined || '"\\\x85\u2028\u2029\ufeff'.includes(ch) || cp < 0x20 || cp > 0x7e) {
      if (start < end) w.write(chars.slice(start, end).join(''));
      start = end;
      if (ch !== undefined) {
        w.write(escapeChar(ch));
        start = end + 1;
      }
    }
    if (end > 0 && end < chars.length - 1 && (ch === ' ' || start >= end) &&
        w.column + (end - start) > BEST_WIDTH && split) {
      w.write(chars.slice(start, end).join('') + '\\');
      if (start < end) start = end;
      w.newline(indent);
      if (chars[start] === ' ') w.write('\\');
    }
  }
  w.write('"');
}

function writeString(w: Writer, s: string, indent: number, isKey: boolean): void {
  const chars = [...s];
  const style = chooseStyle(s, isKey);
  if (style === 'plain') writePlain(w, chars, indent, !isKey);
  else if (style === 'single') writeSingleQuoted(w, chars, indent, !isKey);
  else writeDoubleQuoted(w, chars, indent, !isKey);
}

function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return BigInt(v).toString();
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    const r = pyFloatRepr(v).toLowerCase();
    return !r.includes('.') && r.includes('e') ? r.replace('e', '.0e') : r;
  }
  return undefined;
}

function isCollection(v: unknown): v is object {
  return typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

/** Writes a scalar or an empty collection at the current position. */
function writeInline(w: Writer, v: unknown, indent: number): void {
  if (Array.isArray(v)) w.write('[]');
  else if (typeof v === 'string') writeString(w, v, indent, false);
  else if (typeof v === 'object' && v !== null) w.write('{}');
  else w.write(scalarText(v) ?? String(v));
}

// `indent` is the column of this collection's entries; the first entry continues the current line.
function writeMapping(w: Writer, obj: Record<string, unknown>, indent: number): void {
  const keys = Object.keys(obj).sort();
  keys.forEach((key, i) => {
    if (i > 0) w.newline(indent);
    writeString(w, key, indent, true);
    w.write(':');
    const v = obj[key];
    if (!isCollection(v)) {
      w.write(' ');
      writeInline(w, v, indent + 2);
    } else if (Array.isArray(v)) {
      w.newline(indent);
      writeSequence(w, v, indent);
    } else {
      w.newline(indent + 2);
      writeMapping(w, v as Record<string, unknown>, indent + 2);
    }
  });
}

function writeSequence(w: Writer, items: readonly unknown[], indent: number): void {
  items.forEach((item, i) => {
    if (i > 0) w.newline(indent);
    w.write('- ');
    if (!isCollection(item)) writeInline(w, item, indent + 2);
    else if (Array.isArray(item)) writeSequence(w, item, indent + 2);
    else writeMapping(w, item as Record<string, unknown>, indent + 2);
  });
}

/** yaml.safe_dump(value, default_flow_style=False) for decoded JSON values. */
export function pyYamlDump(value: unknown): string {
  const w = new Writer();
  if (isCollection(value)) {
    if (Array.isArray(value)) writeSequence(w, value, 0);
    else writeMapping(w, value as Record<string, unknown>, 0);
    return w.text + '\n';
  }
  writeInline(w, value, 0);
  // A bare top-level plain scalar leaves the document "open"; PyYAML closes it with an end marker.
  const plain = typeof value === 'string' ? chooseStyle(value, false) === 'plain' : typeof value !== 'object' || value === null;
  return plain ? `${w.text}\n...\n` : `${w.text}\n`;
}
