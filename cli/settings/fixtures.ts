import { fragmentOf } from '../../api-model/prose-rules/custom-fields.ts';
import { validate } from '../../api-model/shapes/validate.ts';
import { type ConfigFile, configError, defaultConfigFile, type Fixtures, FixturesSchema, type GateConfig, readConfigFile } from '../../core/config.ts';

/** Checks the tenant fixtures beyond their schema: custom field names must be of the right kind. */
const checkFixtures = (file: ConfigFile, fixtures: Fixtures | undefined): void => {
  const verdict = validate(FixturesSchema, fixtures ?? {}, 'strict');
  if (!verdict.valid) {
    const e = verdict.errors[0]!;
    const where = ['fixtures', ...e.pointer.split('/').filter(Boolean)];
    throw configError(file, file.lineOf(where), `${where.join('.')}: /fixtures${e.pointer} ${e.message}`, 'see README "Real deployments" for the format');
  }
  const badKey = (fields: Record<string, unknown> | undefined, want: 'tenant' | 'subtype') =>
    Object.keys(fields ?? {}).find((k) => fragmentOf(k) !== want);
  const tenantBad = badKey(fixtures?.tenantCustomFields, 'tenant');
  if (tenantBad !== undefined)
    throw configError(file, file.lineOf(['fixtures', 'tenantCustomFields', tenantBad]), `tenantCustomFields key ${JSON.stringify(tenantBad)} is not a tnt__ field`, 'name tenant fields tnt__<name>');
  const subtypeBad = badKey(fixtures?.subtype?.fields, 'subtype');
  if (subtypeBad !== undefined)
    throw configError(file, file.lineOf(['fixtures', 'subtype', 'fields', subtypeBad]), `subtype field ${JSON.stringify(subtypeBad)} is not a ctype__ field`, 'name subtype fields ctype__<name>');
};

/**
 * The tenant fixtures of the config file (`--config FILE`, else the default one here, if
 * any). The settings in the same file are validated and applied to the command's options
 * at start-up (apply.ts); this reads only what the run context needs.
 */
export const loadConfig = (file?: string): GateConfig => {
  const path = file ?? defaultConfigFile();
  if (!path) return {};
  const config = readConfigFile(path);
  const fixtures = config.data['fixtures'] as Fixtures | undefined;
  checkFixtures(config, fixtures);
  return fixtures === undefined ? {} : { fixtures };
};
