import { execFileSync } from 'node:child_process';
import { type Command, Option } from 'commander';
import { loadIgnore } from '../../api-model/ignore.ts';
import { brokerFromEnv } from '../../contracts/pact/broker.ts';
import type { ContractAuth } from '../../contracts/pact/verify.ts';
import { loadStatesModule, type StateSetter, stateChangeUrlStates } from '../../contracts/pact/states.ts';
import { UsageError } from '../../core/errors.ts';
import { pointerLabel } from '../../core/pointer.ts';
import type { PillarResult } from '../../core/results.ts';
import { type CommonOptions, type GateCliOptions, withCommonOptions, withGateOptions } from '../options.ts';
import { loadContracts } from '../pillars.ts';
import { openapiOption } from '../openapi-option.ts';
import { runSession } from '../session.ts';

interface ContractsCliOptions extends CommonOptions, GateCliOptions {
  statesUrl?: string;
  statesModule?: string;
  pactDir: string;
  authScheme: ContractAuth;
}

/** How the contracts send the token; DevRev's docs and its official SDK disagree. */
export const authSchemeOption = () =>
  new Option('--auth-scheme <form>', 'how contracts send the token: sdk (`Authorization: <token>`, as the official SDK does) or bearer (`Authorization: Bearer <token>`, as the docs say)')
    .choices(['sdk', 'bearer'])
    .default('sdk');

/** Loads a --states-module, or says in one line why it cannot. */
export const statesFrom = async (file: string): Promise<StateSetter> => {
  try {
    return await loadStatesModule(file);
  } catch (err) {
    throw new UsageError(`--states-module ${file} cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
  }
};

const gitVersion = (): string => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '0.1.0';
  }
};

/** One line per interaction, then each finding: interaction, pointer, expected, actual. */
export const renderContractsTable = (p: PillarResult): string => {
  const lines: string[] = [];
  for (const c of p.checks) {
    lines.push(`${c.outcome.toUpperCase().padEnd(7)} ${c.name}${c.reason ? ` (${c.reason})` : ''}`);
    for (const f of c.findings) {
      lines.push(`        ${pointerLabel(f.pointer)}  expected ${JSON.stringify(f.expected)}  actual ${JSON.stringify(f.actual)}  [${f.ruleId}, ${f.severity}]`);
    }
  }
  return `${lines.join('\n')}\n`;
};

/** `devrev-gate contracts`: the Pact consumer side, then provider verification against the target. */
export const register = (program: Command): void => {
  withCommonOptions(
    withGateOptions(
    program
      .command('contracts')
      .description('run the Pact consumer contracts (official SDK) and verify the pact against the target')
      .option('--states-url <url>', 'state-change URL of the target: POST {state, params, action}, answers the values as JSON')
      .option('--states-module <file>', 'module whose default export maps provider state names to setup functions')
      .option('--pact-dir <dir>', 'folder for the pact file (its pact file is replaced)', 'pacts')
      .addOption(authSchemeOption())
      .addOption(openapiOption()),
    ),
  ).action(async (o: ContractsCliOptions) => {
    const ignore = loadIgnore(o.ignore);
    if (o.statesUrl && o.statesModule) throw new UsageError('--states-url and --states-module are exclusive', 'give one of them');
    if (o.statesUrl && !/^https?:\/\//.test(o.statesUrl)) throw new UsageError(`--states-url ${JSON.stringify(o.statesUrl)} is not an http(s) URL`);
    let states: StateSetter | undefined;
    if (o.statesUrl) states = stateChangeUrlStates(o.statesUrl);
    if (o.statesModule) states = await statesFrom(o.statesModule);
    const version = gitVersion();
    const broker = brokerFromEnv(process.env, { consumerVersion: version, providerVersion: `${version}-verified` });
    const say = (line: string) => {
      if (!o.quiet) process.stderr.write(`${line}\n`);
    };
    await runSession({
      common: o,
      failOn: o.failOn,
      require: o.require,
      ignore,
      pillars: [
        {
          pillar: 'contracts',
          run: async (ctx) => (await loadContracts()).runContracts(ctx, { pactDir: o.pactDir, broker, say, auth: o.authScheme, debug: Boolean(o.debug), ...(states ? { states } : {}) }),
        },
      ],
      afterRun: [
        (results) => {
          for (const p of results.pillars.filter((x) => x.pillar === 'contracts')) process.stdout.write(renderContractsTable(p));
        },
      ],
    });
  });
};
