import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { loadBaseline } from '../../drift/baseline.ts';
import { runDrift } from '../../drift/engine.ts';
import { loadIgnore } from '../../api-model/ignore.ts';
import { renderDriftTable } from '../../drift/table.ts';
import { type CommonOptions, ensureOutDir, type GateCliOptions, withCommonOptions, withGateOptions } from '../options.ts';
import { openapiOption } from '../openapi-option.ts';
import { runSession } from '../session.ts';

interface DriftCliOptions extends CommonOptions, GateCliOptions {
  recordBaseline?: string;
  baseline?: string;
}

/** `devrev-gate drift`: the live answers of both create endpoints against the documented shapes. */
export const register = (program: Command): void => {
  withCommonOptions(
    withGateOptions(
    program
      .command('drift')
      .description('send the documented request set and classify every deviation of the live answers from the docs')
      .option('--record-baseline <file>', 'store the shape of the live answers, undocumented fields included')
      .option('--baseline <file>', 'also report what disappeared or changed type since this recorded baseline')
      .addOption(openapiOption()),
    ),
  ).action(async (o: DriftCliOptions) => {
    // Everything a run depends on is read and validated before the first request.
    const ignore = loadIgnore(o.ignore);
    const baseline = o.baseline ? loadBaseline(o.baseline) : null;
    if (o.recordBaseline && existsSync(o.recordBaseline) && statSync(o.recordBaseline).isDirectory())
      throw new UsageError(`--record-baseline ${o.recordBaseline} is a folder`, 'give a file path such as drift-baseline.json');
    if (o.recordBaseline) {
      // Found now, not after the run has spent its requests.
      try {
        ensureOutDir(dirname(resolve(o.recordBaseline)));
      } catch {
        throw new UsageError(`cannot write --record-baseline ${o.recordBaseline}`, 'give a file in a folder you can write to');
      }
    }
    await runSession({
      common: o,
      failOn: o.failOn,
      require: o.require,
      ignore,
      pillars: [
        {
          pillar: 'drift',
          run: (ctx) => runDrift(ctx, { baseline, recordBaseline: o.recordBaseline ?? null }),
        },
      ],
      afterRun: [
        (results) => {
          for (const p of results.pillars.filter((x) => x.pillar === 'drift')) process.stdout.write(renderDriftTable(p));
        },
      ],
    });
  });
};
