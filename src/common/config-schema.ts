// The shape of one settings-table entry and the validation schema built from the table (zod): type, range,
// allowed values and URL schemes are declared beside each setting in config.ts, and this module turns them
// into one schema and into the human description of what is allowed (used in errors and in the docs).
import { z } from 'zod';

export type Kind = 'string' | 'integer' | 'boolean' | 'list';

export interface SettingSpec {
  readonly kind: Kind;
  readonly default: () => unknown;
  readonly doc: string;
  /**
   * Key material: hidden from listings, and never taken from the command line (it would show in the process
   * list and shell history) — only from the environment, the config file or the file named by `keyFile`.
   */
  readonly secret?: boolean;
  /** secret: the setting naming a file that holds the value (read at start when the value itself is empty). */
  readonly keyFile?: string;
  /** integer: smallest allowed value. */
  readonly min?: number;
  /** integer: largest allowed value. */
  readonly max?: number;
  /** string, or each item of a list: the only values allowed. */
  readonly oneOf?: readonly string[];
  /** string: empty, or a URL with one of these schemes (without `:`). */
  readonly schemes?: readonly string[];
  /** Documentation only: the default as the docs show it, when the computed one depends on the machine. */
  readonly shownDefault?: string;
}

function urlWithScheme(schemes: readonly string[]) {
  return z.string().refine((s) => {
    if (s === '') return true;
    try {
      return schemes.includes(new URL(s).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  });
}

/** The zod schema of one setting's (already type-coerced) value. */
export function settingSchema(spec: SettingSpec): z.ZodTypeAny {
  switch (spec.kind) {
    case 'integer': {
      let n = z.number().int();
      if (spec.min !== undefined) n = n.min(spec.min);
      if (spec.max !== undefined) n = n.max(spec.max);
      return n;
    }
    case 'boolean':
      return z.boolean();
    case 'list':
      return z.array(spec.oneOf ? z.enum(spec.oneOf as [string, ...string[]]) : z.string());
    case 'string':
      if (spec.oneOf) return z.enum(spec.oneOf as [string, ...string[]]);
      if (spec.schemes) return urlWithScheme(spec.schemes);
      return z.string();
  }
}

/** The whole table as one strict object schema. */
export function settingsSchema(table: Readonly<Record<string, SettingSpec>>): z.ZodObject<z.ZodRawShape> {
  return z.object(Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, settingSchema(spec)]))).strict();
}

/** What a setting accepts, in words: "an integer from 1 to 65535", "one of debug, info, warn, error". */
export function allowedText(spec: SettingSpec): string {
  const quote = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(', ');
  switch (spec.kind) {
    case 'integer':
      if (spec.min !== undefined && spec.max !== undefined) return `an integer from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `an integer of at least ${spec.min}`;
      if (spec.max !== undefined) return `an integer of at most ${spec.max}`;
      return 'an integer';
    case 'boolean':
      return 'true or false';
    case 'list':
      return spec.oneOf ? `a comma-separated list of ${quote(spec.oneOf)}` : 'a comma-separated list';
    case 'string':
      if (spec.oneOf) return `one of ${quote(spec.oneOf)}`;
      if (spec.schemes) return `empty or a URL with scheme ${spec.schemes.map((s) => `\`${s}://\``).join(', ')}`;
      return 'any text';
  }
}
