import { existsSync, readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { fragmentOf } from '../api-model/prose-rules/custom-fields.ts';
import { validate } from '../api-model/shapes/validate.ts';
import { UsageError } from './errors.ts';

/**
 * devrev-gate.config.json: what a real tenant must name for the checks that reference
 * existing records (full creates, custom fields). The embedded simulator needs none of it;
 * against other targets, checks whose fixtures are missing are skipped by name.
 */
const Id = (description: string) => Type.String({ minLength: 1, description });

export const FixturesSchema = Type.Object(
  {
    revOrg: Type.Optional(Id('an existing rev org id (REV-…) for rev_org')),
    account: Type.Optional(Id('an existing account id (ACC-…) for account')),
    tag: Type.Optional(Id('an existing tag id (TAG-…) for tags')),
    artifact: Type.Optional(Id('an existing artifact id (ARTIFACT-…) for artifacts and display_picture')),
    devUser: Type.Optional(Id('an existing dev user id (DEVU-…) for reports_to')),
    tenantCustomFields: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'tnt__ fields defined in the tenant schema, with a valid value each' }),
    ),
    subtype: Type.Optional(
      Type.Object(
        { name: Id('a subtype defined for rev users'), fields: Type.Record(Type.String(), Type.Unknown()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object({ fixtures: Type.Optional(FixturesSchema) }, { additionalProperties: false });

export type Fixtures = Static<typeof FixturesSchema>;
export type GateConfig = Static<typeof ConfigSchema>;

export const DEFAULT_CONFIG_FILE = 'devrev-gate.config.json';

/** Reads and validates the config; no file at the default path means no fixtures. */
export const loadConfig = (file?: string): GateConfig => {
  const path = file ?? DEFAULT_CONFIG_FILE;
  if (!file && !existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ? 'cannot be read' : 'is not valid JSON';
    throw new UsageError(`config ${path} ${why}`, `fix it or pass another with --config (see README "Real deployments")`);
  }
  const verdict = validate(ConfigSchema, raw, 'strict');
  if (!verdict.valid) {
    const e = verdict.errors[0]!;
    throw new UsageError(`config ${path}: ${e.pointer || '/'} ${e.message}`, 'see README "Real deployments" for the format');
  }
  const config = raw as GateConfig;
  const badKey = (fields: Record<string, unknown> | undefined, want: 'tenant' | 'subtype') =>
    Object.keys(fields ?? {}).find((k) => fragmentOf(k) !== want);
  const tenantBad = badKey(config.fixtures?.tenantCustomFields, 'tenant');
  if (tenantBad !== undefined)
    throw new UsageError(`config ${path}: tenantCustomFields key ${JSON.stringify(tenantBad)} is not a tnt__ field`, 'name tenant fields tnt__<name>');
  const subtypeBad = badKey(config.fixtures?.subtype?.fields, 'subtype');
  if (subtypeBad !== undefined)
    throw new UsageError(`config ${path}: subtype field ${JSON.stringify(subtypeBad)} is not a ctype__ field`, 'name subtype fields ctype__<name>');
  return config;
};
