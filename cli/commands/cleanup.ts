import type { Command } from 'commander';
import { cleanupLedger, describeRemaining, readLedgerFile } from '../../cleanup/index.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { Redactor } from '../../core/redact.ts';
import { parseTarget } from '../../core/target.ts';
import { type CommonOptions, withCommonOptions } from '../options.ts';

interface CleanupOptions extends CommonOptions {
  ledger: string;
}

/** Finishes a cleanup an interrupted run could not: removes what its ledger lists. */
export const registerCleanup = (program: Command): void => {
  withCommonOptions(
    program
      .command('cleanup')
      .description('remove the records an earlier run created, as listed in its ledger.jsonl')
      .requiredOption('--ledger <file>', 'the ledger.jsonl a run wrote to its --out folder'),
  ).action(async (o: CleanupOptions) => {
    const ledger = readLedgerFile(o.ledger);
    if (!o.target) throw new UsageError('cleanup needs the --target the run created its records on', 'pass --target or set DEVREV_API_URL');
    if (!o.token) throw new UsageError('cleanup needs a token', 'pass --token or set DEVREV_TOKEN');
    const target = parseTarget(o.target);
    const todo = ledger.outstanding();
    process.stdout.write(`${todo.length} record(s) to clean up on ${target.url}\n`);
    const report = await cleanupLedger({ target, token: o.token, redactor: new Redactor([o.token]) }, ledger);
    process.stdout.write(`removed ${report.removed.length}, deactivated ${report.deactivated.length}, failed ${report.failed.length}\n`);
    for (const line of describeRemaining(report)) process.stdout.write(`${line}\n`);
    process.exitCode = report.failed.length > 0 ? EXIT.FAIL : EXIT.PASS;
  });
};
