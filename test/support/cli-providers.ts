import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

/**
 * What a test file that runs the CLI against providers of its own needs for its lifetime:
 * a scratch folder, the simulator the proxies front, and one with the load pillar's kind of
 * limit (small and short, so a probe meets 429s at once). Read the fields inside tests.
 */
export interface CliProviders {
  dir: string;
  sim: RunningSimulator;
  loadSim: RunningSimulator;
}

export const useCliProviders = (prefix: string): CliProviders => {
  const p = { dir: mkdtempSync(join(tmpdir(), prefix)) } as CliProviders;
  beforeAll(async () => {
    p.sim = await startSimulator({});
    p.loadSim = await startSimulator({ rateLimit: { algorithm: 'fixed_window', limit: 20, windowS: 2 } });
  });
  afterAll(async () => {
    await p.sim.close();
    await p.loadSim.close();
    rmSync(p.dir, { recursive: true, force: true });
  });
  return p;
};

/** The environment of a CLI run that takes its target and token from flags only. */
export const cliEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  return env;
};
