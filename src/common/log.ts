// Structured one-line JSON logs on stderr. Every message passes through the secret scrubber first, so a
// password that slips into an error text never reaches the log.
import { scrubText } from './secrets.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

let threshold: number = LEVELS.info;
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setLogLevel(level: string): void {
  threshold = LEVELS[level as LogLevel] ?? LEVELS.info;
}

/** Tests capture log lines to prove secrets stay out of them. */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

function write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < threshold) return;
  const entry = { time: new Date().toISOString(), level, msg, ...fields };
  sink(scrubText(JSON.stringify(entry)));
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write('error', msg, fields),
};
