import type { Command } from 'commander';
import { registerCleanup } from './cleanup.ts';
import { register as registerContracts } from './contracts.ts';
import { register as registerDrift } from './drift.ts';
import { register as registerLoad } from './load.ts';
import { register as registerProperties } from './properties.ts';
import { register as registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { register as registerServe } from './serve.ts';

/**
 * Subcommands, each in its own module, registered in the order `--help` lists them.
 * A subcommand is added here only once it works.
 */
export const commands: Array<(program: Command) => void> = [
  registerRun,
  registerCleanup,
  registerContracts,
  registerDrift,
  registerLoad,
  registerProperties,
  registerReport,
  registerServe,
];
