// The formatter options cliff adds to every show/list command (`-f`, `-c`, `--noindent`, ...), and
// their translation into OutputOptions.

import { Option, type Command } from 'commander';
import { collect } from '../args.js';
import { UsageError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { LIST_FORMATS, QUOTE_MODES, SHOW_FORMATS, type OutputOptions, type QuoteMode } from './format.js';

interface RawOutputOptions {
  format?: string;
  column?: string[];
  noindent?: boolean;
  maxWidth?: string;
  fitWidth?: boolean;
  printEmpty?: boolean;
  prefix?: string;
  quote?: string;
  sortColumn?: string[];
  sortAscending?: boolean;
  sortDescending?: boolean;
}

function addCommon(cmd: Command, formats: readonly string[], rt: Runtime): Command {
  const env = rt.io.env;
  return cmd
    .addOption(new Option('-f, --format <formatter>', 'the output format').choices(formats).default('table'))
    .option('-c, --column <column>', 'specify the column(s) to include, can be repeated', collect)
    .option('--noindent', 'whether to disable indenting the JSON')
    .option('--max-width <integer>', 'maximum display width, <1 to disable', env.CLIFF_MAX_TERM_WIDTH ?? '0')
    .option('--fit-width', 'fit the table to the display width', env.CLIFF_FIT_WIDTH === '1')
    .option('--print-empty', 'print empty table if there is no data to show');
}

/** Options of commands that print one object. */
export function addShowOutputOptions(cmd: Command, rt: Runtime): Command {
  return addCommon(cmd, SHOW_FORMATS, rt).option('--prefix <prefix>', 'add a prefix to all variable names', '');
}

/** Options of commands that print a list of rows. */
export function addListOutputOptions(cmd: Command, rt: Runtime): Command {
  return addCommon(cmd, LIST_FORMATS, rt)
    .addOption(new Option('--quote <quote_mode>', 'when to include quotes').choices(QUOTE_MODES).default('nonnumeric'))
    .option('--sort-column <column>', 'column(s) to sort the data by, can be repeated', collect)
    .addOption(new Option('--sort-ascending', 'sort the column(s) in ascending order').conflicts('sortDescending'))
    .option('--sort-descending', 'sort the column(s) in descending order');
}

/** Reads the formatter options back out of a command's parsed options. */
export function outputOptions(raw: RawOutputOptions, rt: Runtime): OutputOptions {
  const maxWidthText = raw.maxWidth ?? '0';
  if (!/^-?\d+$/.test(maxWidthText.trim())) {
    throw new UsageError(`argument --max-width: invalid int value: '${maxWidthText}'`);
  }
  return {
    format: raw.format ?? 'table',
    columns: raw.column ?? [],
    noindent: Boolean(raw.noindent),
    maxWidth: Number(maxWidthText),
    fitWidth: Boolean(raw.fitWidth),
    printEmpty: Boolean(raw.printEmpty),
    terminalWidth: rt.io.terminalWidth,
    prefix: raw.prefix ?? '',
    quote: (raw.quote ?? 'nonnumeric') as QuoteMode,
    sortColumns: raw.sortColumn ?? [],
    sortDirection: raw.sortDescending ? 'desc' : raw.sortAscending ? 'asc' : undefined,
  };
}
