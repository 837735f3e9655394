import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  argsToPatch, collect, deserializeValue, dictPatch, handleJsonArg, keyValuePairsToDict, optionKey, parseFields,
  parseLimit, splitAndDeserialize,
} from './args.js';
import { CliError, UsageError } from './errors.js';

describe('splitAndDeserialize (ironicclient KEY=VALUE semantics)', () => {
  it.each<[string, [string, unknown]]>([
    ['ipmi_address=10.0.0.1', ['ipmi_address', '10.0.0.1']],
    ['memory_mb=4096', ['memory_mb', 4096]],
    ['ratio=1.5', ['ratio', 1.5]],
    ['flag=true', ['flag', true]],
    ['flag=True', ['flag', 'True']],
    ['nothing=null', ['nothing', null]],
    ['caps={"boot_mode": "uefi"}', ['caps', { boot_mode: 'uefi' }]],
    ['list=[1, "a"]', ['list', [1, 'a']]],
    ['quoted="42"', ['quoted', '42']],
    ['url=http://x/y?a=b', ['url', 'http://x/y?a=b']],
    ['empty=', ['empty', '']],
    ['serial=12345678901234567890', ['serial', '12345678901234567890']],
  ])('%s', (input, expected) => {
    expect(splitAndDeserialize(input)).toEqual(expected);
  });

  it('rejects a pair without "="', () => {
    expect(() => splitAndDeserialize('novalue')).toThrow(new CliError('Attributes must be a list of PATH=VALUE not "novalue"'));
  });

  it('keeps strings that only JavaScript-style literals would accept as text', () => {
    expect(deserializeValue('NaN')).toBe('NaN');
    expect(deserializeValue(' 7 ')).toBe(7);
  });
});

describe('keyValuePairsToDict', () => {
  it('builds a dict, last duplicate wins', () => {
    expect(keyValuePairsToDict(['a=1', 'b=x', 'a=2'])).toEqual({ a: 2, b: 'x' });
    expect(keyValuePairsToDict(undefined)).toEqual({});
  });
});

describe('argsToPatch / dictPatch', () => {
  it.each<[string, 'add' | 'remove', string[], unknown[]]>([
    ['add scalar', 'add', ['name=node-1'], [{ op: 'add', path: '/name', value: 'node-1' }]],
    ['add keeps leading slash', 'add', ['/extra/a=1'], [{ op: 'add', path: '/extra/a', value: 1 }]],
    ['flag text stays text', 'add', ['automated_clean=True'], [{ op: 'add', path: '/automated_clean', value: 'True' }]],
    ['remove', 'remove', ['name', 'driver_info/ipmi_port'], [{ op: 'remove', path: '/name' }, { op: 'remove', path: '/driver_info/ipmi_port' }]],
  ])('%s', (_name, op, attrs, expected) => {
    expect(argsToPatch(op, attrs)).toEqual(expected);
  });

  it('prefixes dict keys with the field', () => {
    expect(dictPatch('add', 'driver_info', ['ipmi_address=1.2.3.4', 'ipmi_port=623'])).toEqual([
      { op: 'add', path: '/driver_info/ipmi_address', value: '1.2.3.4' },
      { op: 'add', path: '/driver_info/ipmi_port', value: 623 },
    ]);
    expect(dictPatch('remove', 'extra', ['a'])).toEqual([{ op: 'remove', path: '/extra/a' }]);
    expect(dictPatch('add', 'extra', undefined)).toEqual([]);
  });
});

describe('parseFields', () => {
  const choices = ['uuid', 'name', 'driver'];
  it.each<[string[] | undefined, string[] | undefined]>([
    [undefined, undefined],
    [[], undefined],
    [['uuid', 'name'], ['uuid', 'name']],
    [['uuid,name', 'driver'], ['uuid', 'name', 'driver']],
  ])('%j', (input, expected) => {
    expect(parseFields(input, choices)).toEqual(expected);
  });

  it('rejects unknown names like argparse choices', () => {
    expect(() => parseFields(['uuid,bogus'], choices)).toThrow(
      new UsageError("argument --fields: invalid choice: 'bogus' (choose from 'uuid', 'name', 'driver')"),
    );
  });
});

describe('parseLimit', () => {
  it('accepts non-negative integers', () => {
    expect(parseLimit(undefined)).toBeUndefined();
    expect(parseLimit('0')).toBe(0);
    expect(parseLimit('25')).toBe(25);
  });
  it('rejects negatives and non-numbers with the stock messages', () => {
    expect(() => parseLimit('-1')).toThrow(new CliError('Expected non-negative --limit, got -1'));
    expect(() => parseLimit('abc')).toThrow(UsageError);
  });
});

describe('handleJsonArg', () => {
  const noStdin = (): Promise<string> => Promise.reject(new Error('no stdin'));

  it('parses a JSON string', async () => {
    expect(await handleJsonArg('{"a": 1}', 'x', noStdin)).toEqual({ a: 1 });
  });

  it('reads YAML or JSON from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cli-'));
    const file = join(dir, 'net.yaml');
    writeFileSync(file, 'links: []\nnetworks:\n  - id: n1\n');
    expect(await handleJsonArg(file, 'x', noStdin)).toEqual({ links: [], networks: [{ id: 'n1' }] });
  });

  it("reads stdin for '-'", async () => {
    expect(await handleJsonArg('-', 'x', () => Promise.resolve(' [1] \n'))).toEqual([1]);
  });

  it('reports unparsable values', async () => {
    await expect(handleJsonArg('{nope', 'x', noStdin)).rejects.toThrow(/is not a file and cannot be parsed as JSON/);
  });
});

describe('small helpers', () => {
  it('collect appends repeated option values', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
  it('optionKey camel-cases snake_case field names', () => {
    expect(optionKey('reset_boot_interface')).toBe('resetBootInterface');
  });
});
