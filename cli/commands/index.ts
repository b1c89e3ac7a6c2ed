import type { Command } from 'commander';
import { registerCleanup } from './cleanup.ts';
import { register as registerConfig } from './config.ts';
import { register as registerContracts } from './contracts.ts';
import { register as registerDrift } from './drift.ts';
import { register as registerInit } from './init.ts';
import { register as registerLoad } from './load.ts';
import { register as registerProperties } from './properties.ts';
import { register as registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { register as registerServe } from './serve.ts';
import { register as registerSpec } from './spec.ts';

/**
 * Subcommands, each in its own module, in the order `--help` lists them: the whole gate,
 * its pillars as a run takes them, then the tools around them.
 * A subcommand is added here only once it works.
 */
export const commands: Array<(program: Command) => void> = [
  registerRun,
  registerContracts,
  registerDrift,
  registerProperties,
  registerLoad,
  registerSpec,
  registerReport,
  registerServe,
  registerCleanup,
  registerInit,
  registerConfig,
];
