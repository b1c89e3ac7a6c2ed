import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { Command, Option } from 'commander';
import { FixturesSchema } from '../../core/config.ts';
import { kindOf } from './option-kinds.ts';

/**
 * The config file's schema, derived from the commands' own options: a setting is a flag's
 * long name (`fail-on`, `max-requests`; a `--no-x` flag is `x: false`). A key at the top
 * applies to every command that has that flag; a section named for a command (`run:`,
 * `load:` with `probe:` inside) applies to that command and wins over the top. The shipped
 * config.schema.json is this, written by `npm run config:schema`; a test keeps them equal.
 */

/** Flags that are not settings: the file itself, help, and the stack-trace switch of one run. */
const NOT_SETTINGS = new Set(['help', 'version', 'config', 'debug']);

/** Commands that do not read the file: `init` writes it, `config` shows it for another command. */
export const META_COMMANDS = new Set(['init', 'config', 'help']);

/** A secret comes from the environment only (its flag still works, with a warning). */
export const isSecret = (o: Option): boolean => Boolean(o.envVar && /TOKEN/.test(o.envVar));

/** The key of a flag in the config file. */
export const settingKey = (o: Option): string => (o.negate ? o.name().replace(/^no-/, '') : o.name());

/** The options of a command that the file can hold. */
export const settingOptions = (cmd: Command): Option[] =>
  cmd.options.filter((o) => o.long && !NOT_SETTINGS.has(o.name()) && !isSecret(o));

/** The options of a command that never go in the file (secrets). */
export const secretOptions = (cmd: Command): Option[] => cmd.options.filter(isSecret);

const subcommands = (cmd: Command): Command[] => cmd.commands.filter((c) => !META_COMMANDS.has(c.name()));

/** Every command below `cmd` that runs (has no subcommands), with its path of names. */
export const settingCommands = (cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> =>
  subcommands(cmd).flatMap((c) => (c.commands.length ? settingCommands(c, [...prefix, c.name()]) : [{ path: [...prefix, c.name()], cmd: c }]));

/** The names from below the program down to this command, e.g. ['load', 'probe']. */
export const commandPath = (cmd: Command): string[] => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
};

const jsonDefault = (v: unknown) => (['string', 'number', 'boolean'].includes(typeof v) ? { default: v } : {});

/** One flag's value as JSON: what its parser accepts on the command line, typed. */
export const optionSchema = (o: Option): TSchema => {
  const meta = { description: o.description, ...jsonDefault(o.defaultValue) };
  if (!o.required && !o.optional) return Type.Boolean(meta);
  if (o.argChoices) return Type.String({ ...meta, enum: [...o.argChoices] });
  const kind = kindOf(o.parseArg ?? undefined);
  switch (kind?.type) {
    case 'integer':
      return Type.Integer({ ...meta, ...bounds(kind) });
    case 'number':
      return Type.Number({ ...meta, ...bounds(kind) });
    case 'list':
      return Type.Array(kind.items ? Type.String({ enum: [...kind.items] }) : Type.String(), { ...meta, minItems: 1 });
    case 'repeat':
      return Type.Array(Type.String({ minLength: 1 }), meta);
    default:
      return Type.String(meta);
  }
};

const bounds = (k: { minimum?: number; maximum?: number; exclusiveMinimum?: number }) => ({
  ...(k.minimum !== undefined ? { minimum: k.minimum } : {}),
  ...(k.maximum !== undefined && k.maximum < Number.MAX_SAFE_INTEGER ? { maximum: k.maximum } : {}),
  ...(k.exclusiveMinimum !== undefined ? { exclusiveMinimum: k.exclusiveMinimum } : {}),
});

/** What must agree for one key shared by several commands: the value's type, not the wording. */
const typeOnly = (s: TSchema): string => JSON.stringify(s, (k, v) => (k === 'description' || k === 'default' ? undefined : v));

/** One key over several commands: the common type, or any of theirs when they differ. */
const mergeSchemas = (schemas: TSchema[]): TSchema => {
  const byType = new Map<string, TSchema>();
  for (const s of schemas) if (!byType.has(typeOnly(s))) byType.set(typeOnly(s), s);
  const distinct = [...byType.values()];
  if (distinct.length === 1) {
    const { default: _default, ...rest } = distinct[0]! as TSchema & { default?: unknown };
    // The same default everywhere stays; otherwise each command's own applies.
    const same = schemas.every((s) => JSON.stringify(s['default']) === JSON.stringify(_default));
    return (same ? distinct[0]! : rest) as TSchema;
  }
  return Type.Union(distinct, { description: schemas[0]!['description'] });
};

const sectionSchema = (cmd: Command, description: string): TObject => {
  const byKey = new Map<string, TSchema[]>();
  const leaves = cmd.commands.length ? settingCommands(cmd).map((l) => l.cmd) : [cmd];
  for (const leaf of leaves) for (const o of settingOptions(leaf)) byKey.set(settingKey(o), [...(byKey.get(settingKey(o)) ?? []), optionSchema(o)]);
  const props: Record<string, TSchema> = {};
  for (const [key, schemas] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) props[key] = mergeSchemas(schemas);
  for (const child of subcommands(cmd)) {
    // A setting named like a subcommand (`spec pin --check` beside `spec check`) lives
    // only in its own command's section, below.
    props[child.name()] = Type.Optional(
      sectionSchema(child, `settings of devrev-gate ${[...commandPath(child)].join(' ')} (win over the ones above)`),
    );
  }
  for (const key of Object.keys(props)) props[key] = Type.Optional(props[key]!);
  return Type.Object(props, { additionalProperties: false, description });
};

const schemas = new WeakMap<Command, TObject>();

/** The schema every config file is validated against at start-up. */
export const configSchema = (program: Command): TObject => {
  let schema = schemas.get(program);
  if (!schema) {
    const top = sectionSchema(program, '');
    schema = Type.Object(
      {
        $schema: Type.Optional(Type.String({ description: 'where editors find this schema (init writes the path inside node_modules)' })),
        fixtures: Type.Optional(FixturesSchema),
        ...top.properties,
      },
      {
        additionalProperties: false,
        description:
          'devrev-gate.config.yaml: every setting of every command (flag > environment > this file > default). A key at the top applies to every command with that flag; a section named for a command wins over it. The token is never here: set DEVREV_TOKEN.',
      },
    );
    schemas.set(program, schema);
  }
  return schema;
};

/** The shipped file's text: the schema with its draft and title, stable for diffs. */
export const configSchemaText = (program: Command): string =>
  `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'devrev-gate config', ...configSchema(program) }, null, 2)}\n`;

/** Where the schema is in the installed package, and where `$schema` lines point. */
export const CONFIG_SCHEMA_NAME = 'config.schema.json';
