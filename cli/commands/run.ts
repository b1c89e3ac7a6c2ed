import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { PILLARS, type PillarName } from '../../core/results.ts';
import { loadIgnore } from '../../api-model/ignore.ts';
import type { ContractAuth } from '../../contracts/pact/verify.ts';
import { runDrift } from '../../drift/index.ts';
import { LOAD_SIMULATOR } from '../../simulator/index.ts';
import { runProperties } from '../../properties/index.ts';
import { renderFindingsTable } from '../../reports/terminal.ts';
import { type CommonOptions, type GateCliOptions, intOption, withCommonOptions, withGateOptions } from '../options.ts';
import { loadContracts, loadLoad, loadSpec } from '../pillars.ts';
import { authSchemeOption, statesFrom } from './contracts.ts';
import { openapiOption } from '../openapi-option.ts';
import { type PillarRun, runSession } from '../session.ts';
import { withKind } from '../settings/option-kinds.ts';

interface RunCliOptions extends CommonOptions, GateCliOptions {
  only?: PillarName[];
  skip?: PillarName[];
  allowRemote?: boolean;
  maxRequests?: number;
  seed?: number;
  authScheme: ContractAuth;
  statesModule?: string;
}

/** What `run` runs: docs drift compares documents, so it is its own command (`spec`). */
const RUN_PILLARS = PILLARS.filter((p) => p !== 'spec');

const pillarList = (flag: string) => withKind((raw: string): PillarName[] => {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(RUN_PILLARS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)} names no pillar${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
      `use a comma-separated list of ${RUN_PILLARS.join(', ')}`,
    );
  }
  return names as PillarName[];
}, { type: 'list', items: RUN_PILLARS });

/** The pillars in the order `run` runs them: the cheap gates first, load last. */
const plan = (o: RunCliOptions): PillarRun[] => {
  const say = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const all: Array<PillarRun & { pillar: PillarName }> = [
    {
      pillar: 'contracts',
      // The pact is also checked against the pinned OpenAPI document (sends nothing).
      run: async (ctx) => {
        const contracts = await loadContracts();
        const states = o.statesModule ? await statesFrom(o.statesModule) : undefined;
        const result = await contracts.runContracts(ctx, { say, auth: o.authScheme, debug: Boolean(o.debug), ...(states ? { states } : {}) });
        return (await loadSpec()).withPactDocumentCheck(result, o.failOn);
      },
    },
    { pillar: 'drift', run: (ctx) => runDrift(ctx) },
    { pillar: 'properties', run: (ctx) => runProperties(ctx, o.seed === undefined ? {} : { seed: o.seed }) },
    // Load gets its own simulator with a small, short window (see LOAD_SIMULATOR).
    {
      pillar: 'load',
      needsAllowRemote: true,
      simulator: LOAD_SIMULATOR,
      run: async (ctx) => (await loadLoad()).runLoad(ctx, { allowRemote: Boolean(o.allowRemote), say }),
    },
  ];
  return all.filter((p) => (!o.only || o.only.includes(p.pillar)) && !o.skip?.includes(p.pillar));
};

/** `devrev-gate run`: every pillar against one target, then the reports. What `npm start` runs. */
export const registerRun = (program: Command): void => {
  withCommonOptions(
    withGateOptions(
    program
      .command('run')
      .description('run every pillar (contracts, drift, properties, load) and write the reports')
      .option('--only <pillars>', `run only these pillars (comma-separated: ${RUN_PILLARS.join(', ')})`, pillarList('--only'))
      .option('--skip <pillars>', 'skip these pillars (comma-separated)', pillarList('--skip'))
      .option('--allow-remote', 'allow the load pillar to send traffic to a non-loopback target')
      .option('--max-requests <n>', 'request budget for the whole run (default: small for remote targets)', intOption('--max-requests', { min: 1 }))
      .option('--seed <n>', 'fast-check seed for the properties pillar', intOption('--seed', { min: -2147483648, max: 2147483647 }))
      .option('--states-module <file>', 'contracts: module whose default export maps provider state names to setup functions')
      .addOption(authSchemeOption())
      .addOption(openapiOption()),
    ),
  ).action(async (o: RunCliOptions) => {
    const ignore = loadIgnore(o.ignore);
    const pillars = plan(o);
    if (pillars.length === 0) throw new UsageError('--only and --skip leave no pillar to run', 'drop one of them');
    await runSession({
      common: o,
      failOn: o.failOn,
      require: o.require,
      ignore,
      maxRequests: o.maxRequests,
      allowRemote: o.allowRemote,
      pillars,
      afterRun: [
        // The gate's findings table, every pillar's, before the verdict line.
        (results) => {
          process.stdout.write(renderFindingsTable(results));
        },
      ],
    });
  });
};
