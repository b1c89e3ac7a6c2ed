import { Command, CommanderError } from 'commander';
import { endpointModels } from '../api-model/endpoints/index.ts';
import { EXIT, GateError } from '../core/errors.ts';
import { commands } from './commands/index.ts';
import { applySettings, deferRequiredOptions } from './settings/apply.ts';
import { settingCommands } from './settings/config-schema.ts';

export const VERSION = '0.1.0';

/** Builds the program; every subcommand registers itself from commands/index.ts. */
export const buildProgram = (): Command => {
  const program = new Command('devrev-gate')
    .description(
      `Contract, drift, property and rate-limit checks for DevRev ${endpointModels()
        .map((m) => m.spec.name)
        .join(', ')}.\n` +
        'With no --target, every check runs against the embedded DevRev simulator.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const register of commands) register(program);
  // Every command reads the config file; those without the common options get --config too.
  for (const { cmd } of settingCommands(program)) {
    if (!cmd.options.some((o) => o.long === '--config'))
      cmd.option('--config <file>', 'config file (default: devrev-gate.config.yaml, .yml or .json here, if present)');
  }
  deferRequiredOptions(program);
  program.hook('preAction', (_program, action) => applySettings(program, action));
  program.addHelpText(
    'after',
    '\nExit codes: 0 all checks passed, 1 the provider failed a check, 2 usage or setup error,\n3 devrev-gate itself failed (a bug to report), 130 interrupted.',
  );
  return program;
};

/**
 * Runs the CLI and resolves to its exit code; never lets a stack trace reach the user.
 * Tests pass a program whose actions only validate, to fuzz parsing without sending.
 */
export const main = async (argv: string[], program: Command = buildProgram()): Promise<number> => {
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.PASS;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed the one-line reason.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT.PASS;
      return EXIT.USAGE;
    }
    if (err instanceof GateError) {
      // One line, whatever a message quoted (a parser's excerpt of a file can hold newlines).
      process.stderr.write(`devrev-gate: ${err.oneLine().replace(/\s*\n\s*/g, ' ')}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return EXIT.USAGE;
    }
    // Not an error the user can act on: the suite's own bug, with its own exit code.
    process.stderr.write(`devrev-gate: internal error (a bug in devrev-gate, not the provider): ${(err as Error)?.message ?? String(err)}\n`);
    if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    else process.stderr.write('(run again with --debug for the stack trace)\n');
    return EXIT.SUITE;
  }
};
