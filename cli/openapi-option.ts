import { Option } from 'commander';
import { loadVersion, type VersionView } from '../api-model/openapi/version.ts';
import { UsageError } from '../core/errors.ts';

/**
 * `--openapi FILE`: the embedded simulator serves the DevRev version that document states
 * (a whole published document or a slice, YAML or JSON) instead of the pin. `serve` and
 * every command that starts the simulator (`run`, `drift`, `contracts`, `properties`) take it.
 */
export const openapiOption = (): Option =>
  new Option('--openapi <file>', 'the embedded simulator serves the DevRev version this OpenAPI document (or slice) states, instead of the pin');

/** The version to serve, read and checked before anything starts; null for the pin. */
export const servedVersion = (file: string | undefined, target: unknown): VersionView | null => {
  if (file === undefined || file === '') return null;
  // With a target there is no simulator to serve the version: say so rather than ignore it.
  if (target) throw new UsageError('--openapi sets the version the embedded simulator serves; it has no effect with --target', 'drop one of them');
  return loadVersion(file);
};
