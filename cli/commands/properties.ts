import type { Command } from 'commander';
import { loadIgnore } from '../../api-model/ignore.ts';
import type { PillarResult } from '../../core/results.ts';
import { propertyNames } from '../../properties/catalog.ts';
import { type Counterexample, PROPERTIES_DEFAULTS, type PropertiesOptions, runProperties } from '../../properties/index.ts';
import { validateOptions } from '../../properties/options.ts';
import { type CommonOptions, type GateCliOptions, intOption, numberOption, withCommonOptions, withGateOptions } from '../options.ts';
import { openapiOption } from '../openapi-option.ts';
import { runSession } from '../session.ts';
import { withKind } from '../settings/option-kinds.ts';

interface PropertiesCliOptions extends CommonOptions, GateCliOptions {
  runs?: number;
  seed?: number;
  budget?: number;
  timeBudget?: number;
  property?: string[];
  classes?: string;
  replayPath?: string;
  path?: string;
}

const collect = withKind((value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)], { type: 'repeat' });

/** What a person reads after the run: the seed, each property's verdict, each counterexample. */
export const renderProperties = (p: PillarResult): string => {
  const lines: string[] = [];
  const data = (p.data ?? {}) as { seed?: number; classCounts?: Record<string, number>; counterexamples?: Counterexample[] };
  lines.push(`properties: seed ${data.seed} (pass --seed ${data.seed} to run the same cases again)`);
  for (const c of p.checks) lines.push(`  ${c.outcome.padEnd(12)} ${c.id}${c.reason && c.outcome !== 'pass' ? `: ${c.reason}` : ''}`);
  const counts = Object.values(data.classCounts ?? {});
  if (counts.length)
    lines.push(`  ${counts.length} generator classes, ${counts.filter((n) => n > 0).length} hit, fewest hits ${Math.min(...counts)}`);
  for (const x of data.counterexamples ?? []) {
    lines.push('', `counterexample for ${x.property} (class ${x.cls}, seed ${x.seed}, path ${x.path}, ${x.shrinks} shrinks):`);
    lines.push(`  ${typeof x.case === 'string' ? x.case : JSON.stringify(x.case)}`);
    if (x.curl) lines.push(`  reproduce: ${x.curl}`);
    lines.push(`  replay:    ${x.replay}`);
  }
  return `${lines.join('\n')}\n`;
};

/** `devrev-gate properties`: fast-check edge cases against the target. */
export const register = (program: Command): void => {
  withCommonOptions(
    withGateOptions(
    program
      .command('properties')
      .description('generate valid and near-miss requests from every class the docs define and check the answers')
      .option('--runs <n>', `cases per generator class in each property (default ${PROPERTIES_DEFAULTS.runsPerClass})`, intOption('--runs', { min: 1, max: 100_000 }))
      .option('--seed <s>', 'fast-check seed (default: random, printed)', intOption('--seed', { min: -0x80000000, max: 0xffffffff }))
      .option('--budget <n>', 'most requests the pillar may send, shrinking included', intOption('--budget', { min: 1 }))
      .option('--time-budget <s>', `most seconds the pillar may take, shrinking included (default ${PROPERTIES_DEFAULTS.timeBudgetS})`, numberOption('--time-budget', { min: 0, exclusiveMin: true }))
      .option('--property <name>', `only this property (repeatable): ${propertyNames().join(', ')}`, collect)
      .option('--classes <list>', 'only these generator classes, comma-separated (as a failure report names them)')
      .option('--replay-path <p>', 'replay the counterexample at this path (with --property and --seed)')
      .option('--path <p>', 'same as --replay-path')
      .addOption(openapiOption()),
    ),
  ).action(async (o: PropertiesCliOptions) => {
    const ignore = loadIgnore(o.ignore);
    const options: Partial<PropertiesOptions> = {
      ...(o.runs !== undefined ? { runsPerClass: o.runs } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.budget !== undefined ? { budget: o.budget } : {}),
      ...(o.timeBudget !== undefined ? { timeBudgetS: o.timeBudget } : {}),
      ...(o.property?.length ? { properties: o.property } : {}),
      ...(o.classes ? { classes: o.classes.split(',').filter(Boolean) } : {}),
      ...((o.replayPath ?? o.path) !== undefined ? { replayPath: o.replayPath ?? o.path } : {}),
    };
    // A bad option is reported before the simulator starts or a request is sent.
    validateOptions({ ...PROPERTIES_DEFAULTS, ...options });
    await runSession({
      common: o,
      failOn: o.failOn,
      require: o.require,
      ignore,
      pillars: [{ pillar: 'properties', run: (ctx) => runProperties(ctx, options) }],
      afterRun: [
        (results) => {
          for (const p of results.pillars.filter((x) => x.pillar === 'properties')) process.stdout.write(renderProperties(p));
        },
      ],
    });
  });
};
