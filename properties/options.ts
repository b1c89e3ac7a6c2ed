import { UsageError } from '../core/errors.ts';
import { type PropertyDef, propertyNames } from './catalog.ts';

/**
 * The pillar's settings: one defaults object and one validate step that names the bad
 * option and the fix. Defaults are sized so the whole pillar finishes well under 20 s
 * against the embedded simulator (bench/properties.ts prints the figure).
 */
export interface PropertiesOptions {
  /** fast-check seed; random (and printed) when absent. */
  seed?: number;
  /** Cases per generator class in each property: numRuns = runsPerClass × classes. */
  runsPerClass: number;
  /** Runs of the stateful property (each a sequence of up to `maxCommands` creates). */
  statefulRuns: number;
  maxCommands: number;
  /** Requests the pillar may send, shrinking included (also capped by the run's budget). */
  budget?: number;
  /** Seconds the pillar may take, shrinking included. */
  timeBudgetS: number;
  /** Only these properties (all when absent). */
  properties?: string[];
  /** Only these generator classes (replays of a run that was narrowed must narrow too). */
  classes?: string[];
  /** Replay one counterexample: needs exactly one property and a seed. */
  replayPath?: string;
  /** The property definitions (default: the catalogue's, for the endpoints the model holds); self-tests pass a broken generator. */
  definitions?: readonly PropertyDef[];
}

export const PROPERTIES_DEFAULTS: PropertiesOptions = {
  runsPerClass: 20,
  statefulRuns: 25,
  maxCommands: 8,
  timeBudgetS: 120,
};

export const validateOptions = (o: PropertiesOptions): PropertiesOptions => {
  const whole = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min))
      throw new UsageError(`${name} must be a whole number of at least ${min}, got ${v}`);
  };
  whole('--runs', o.runsPerClass, 1);
  whole('statefulRuns', o.statefulRuns, 0);
  whole('maxCommands', o.maxCommands, 1);
  whole('--budget', o.budget, 1);
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < -0x80000000 || o.seed > 0xffffffff))
    throw new UsageError(`--seed must be a 32-bit integer, got ${o.seed}`, 'use the seed a previous run printed');
  if (!(o.timeBudgetS > 0) || !Number.isFinite(o.timeBudgetS))
    throw new UsageError(`--time-budget must be a positive number of seconds, got ${o.timeBudgetS}`);
  const names = (o.definitions ?? []).length ? o.definitions!.map((d) => d.name) : propertyNames();
  for (const p of o.properties ?? [])
    if (!names.includes(p)) throw new UsageError(`--property ${JSON.stringify(p)} is not a property`, `choose one of ${names.join(', ')}`);
  if (o.replayPath !== undefined) {
    if (o.properties?.length !== 1)
      throw new UsageError('--path (--replay-path) needs the property it belongs to', 'add --property NAME from the failure report');
    if (o.seed === undefined) throw new UsageError('--path (--replay-path) needs the seed it belongs to', 'add --seed S from the failure report');
    if (!/^\d+(:\d+)*(~[A-Za-z0-9+/:]*)?$/.test(o.replayPath))
      throw new UsageError(`--path ${JSON.stringify(o.replayPath)} is not a fast-check path`, 'copy it from the failure report, e.g. 12:0:3');
  }
  return o;
};
