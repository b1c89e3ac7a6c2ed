import type { Command, Option } from 'commander';
import { validate } from '../../api-model/shapes/validate.ts';
import { type ConfigFile, configError, defaultConfigFile, readConfigFile } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { shownPath } from '../../core/shown-path.ts';
import { commandPath, configSchema, META_COMMANDS, secretOptions, settingKey, settingOptions } from './config-schema.ts';
import { kindOf } from './option-kinds.ts';

/**
 * Settings from the config file, applied to the command about to run, under commander's
 * own precedence: a flag (source `cli`) and an environment variable (`env`) win, the file
 * (`config`) beats the default. A value from the file goes through the flag's own parser,
 * so it is checked exactly as the flag would be.
 */

const FIX = 'see node_modules/devrev-gate/config.schema.json, or run devrev-gate config';

/** Where each option's value came from in the file, for `devrev-gate config`. */
const fromFile = new WeakMap<Command, Map<string, string>>();
export const fileOrigins = (cmd: Command): Map<string, string> => fromFile.get(cmd) ?? new Map();

/** Required flags whose value may come from the file: commander would refuse them before the file is read. */
const required = new WeakSet<Option>();
export const deferRequiredOptions = (program: Command): void => {
  const walk = (c: Command) => {
    for (const o of c.options)
      if (o.mandatory) {
        o.mandatory = false;
        required.add(o);
      }
    c.commands.forEach(walk);
  };
  walk(program);
};

let warned = false;
const warnSecretFlags = (cmd: Command): void => {
  for (const o of secretOptions(cmd)) {
    if (cmd.getOptionValueSource(o.attributeName()) !== 'cli' || warned) continue;
    warned = true;
    process.stderr.write(`devrev-gate: warning: ${o.long} on the command line can be read by other processes on this machine; set ${o.envVar} instead\n`);
  }
};

const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
};

const at = (data: unknown, keys: readonly string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), data);

/** A place in the file as a person reads it: `run.skip[0]`. */
const keyPath = (keys: readonly string[]): string => keys.map((k, i) => (/^\d+$/.test(k) ? `[${k}]` : i ? `.${k}` : k)).join('');

/** Validates the whole file against the schema; the first problem becomes one line. */
const validateFile = (file: ConfigFile, program: Command, secrets: Map<string, Option>): void => {
  // A token is refused by name before anything else is said about the file.
  const findSecret = (value: unknown, path: string[]): string[] | null => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'fixtures' && path.length === 0) continue;
      if (secrets.has(k)) return [...path, k];
      const deeper = findSecret(v, [...path, k]);
      if (deeper) return deeper;
    }
    return null;
  };
  const secret = findSecret(file.data, []);
  if (secret) {
    const env = secrets.get(secret.at(-1)!)!.envVar;
    throw configError(file, file.lineOf(secret), `${secret.join('.')}: a token never goes in a config file`, `remove the key and set ${env} in the environment (a CI secret)`);
  }
  const schema = configSchema(program);
  const verdict = validate(schema, file.data, 'strict');
  if (verdict.valid) return;
  const e = verdict.errors[0]!;
  // An empty key is a key too (`{"": null}`): only the pointer's leading slash is dropped.
  const keys = (e.pointer === '' ? [] : e.pointer.slice(1).split('/')).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const line = file.lineOf(keys);
  if (e.keyword === 'additionalProperties') {
    const parent = keys.slice(0, -1);
    const known = Object.keys(sectionProps(schema, parent) ?? {});
    const bad = keys.at(-1)!;
    const near = known.filter((k) => bad !== '' && distance(k, bad) <= 2).sort((a, b) => distance(a, bad) - distance(b, bad))[0];
    const where = parent.length ? ` in ${parent.join('.')}` : '';
    throw configError(file, line, `unknown key ${JSON.stringify(bad)}${where}`, near ? `did you mean ${near}?` : `remove it (${FIX})`);
  }
  const allowed = e.keyword === 'enum' ? ` (one of ${(e.params['allowedValues'] as unknown[]).join(', ')})` : '';
  throw configError(file, line, `${keyPath(keys) || '(top)'}: ${e.message}${allowed}`, `fix the value (${FIX})`);
};

/** The keys a section of the schema allows. */
const sectionProps = (schema: { properties?: Record<string, unknown> }, keys: readonly string[]): Record<string, unknown> | undefined => {
  let node: { properties?: Record<string, unknown> } | undefined = schema;
  for (const k of keys) node = node?.properties?.[k] as { properties?: Record<string, unknown> } | undefined;
  return node?.properties;
};

/** A file value in the form the flag's parser takes, parsed by it. */
const parseFromFile = (o: Option, value: unknown): unknown => {
  if (!o.required && !o.optional) return value;
  const parse = o.parseArg as ((raw: string, previous: unknown) => unknown) | undefined;
  const kind = kindOf(parse);
  if (kind?.type === 'repeat' && Array.isArray(value))
    return value.reduce<unknown>((acc, v) => (parse ? parse(String(v), acc) : [...((acc as unknown[]) ?? []), v]), Array.isArray(o.defaultValue) ? [] : undefined);
  const raw = Array.isArray(value) ? value.join(',') : String(value);
  return parse ? parse(raw, undefined) : raw;
};

/**
 * The first section, most specific first, that sets this key: [value, keys] or null. At a
 * level where the key names a subcommand, it is that subcommand's section, not a setting.
 */
const lookup = (cmd: Command, data: Record<string, unknown>, path: string[], key: string): [unknown, string[]] | null => {
  let level: Command | null = cmd;
  for (let i = path.length; i >= 0; i--, level = level?.parent ?? null) {
    if (i < path.length && level?.commands.some((c) => c.name() === key)) continue;
    const section = at(data, path.slice(0, i));
    if (section !== null && typeof section === 'object' && Object.hasOwn(section, key)) {
      return [(section as Record<string, unknown>)[key], [...path.slice(0, i), key]];
    }
  }
  return null;
};

/** The preAction step: read the file (if any), validate it, fill the options it sets. */
export const applySettings = (program: Command, cmd: Command): void => {
  if (META_COMMANDS.has(cmd.name()) && cmd.parent === program) return;
  warnSecretFlags(cmd);
  const given = cmd.getOptionValue('config') as string | undefined;
  const path = given ?? defaultConfigFile();
  const origins = new Map<string, string>();
  fromFile.set(cmd, origins);
  if (path) {
    const file = readConfigFile(path);
    const secrets = new Map<string, Option>();
    const walk = (c: Command) => {
      for (const o of secretOptions(c)) secrets.set(settingKey(o), o);
      c.commands.forEach(walk);
    };
    walk(program);
    validateFile(file, program, secrets);
    const names = commandPath(cmd);
    for (const o of settingOptions(cmd)) {
      const attr = o.attributeName();
      const source = cmd.getOptionValueSource(attr);
      // An empty variable is an unset one (CI expands a missing secret to ''): the file applies.
      if (source === 'cli' || (source === 'env' && cmd.getOptionValue(attr) !== '')) continue;
      const found = lookup(cmd, file.data, names, settingKey(o));
      if (!found) continue;
      const line = file.lineOf(found[1]);
      let value: unknown;
      try {
        value = parseFromFile(o, found[0]);
      } catch (err) {
        const why = (err as Error).message.replace(/^error: /, '').replace(/^--[\w-]+\s*/, '');
        throw configError(file, line, `${found[1].join('.')}: ${why}`, `fix the value (${FIX})`);
      }
      cmd.setOptionValueWithSource(attr, value, 'config');
      origins.set(attr, `${shownPath(file.path)}:${line}`);
    }
  }
  for (const o of cmd.options) {
    if (required.has(o) && cmd.getOptionValue(o.attributeName()) === undefined)
      throw new UsageError(`required option ${o.flags} not specified`, `pass ${o.long}, or set ${settingKey(o)}: in the config file`);
  }
};
