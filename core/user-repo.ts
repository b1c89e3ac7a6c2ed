import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The integrator's repository: where `devrev-gate init` puts their contract with DevRev.
 * The names live here once; `init` writes them, the settings loader and the slice loader
 * read them, and SARIF points alerts at them.
 */
export const USER_CONFIG_FILES = ['devrev-gate.config.yaml', 'devrev-gate.config.yml', 'devrev-gate.config.json'] as const;
export const USER_SLICE_FILE = join('devrev-gate', 'openapi-slice.json');
export const USER_IGNORE_FILES = ['devrev-gate.ignore.yaml', 'devrev-gate.ignore.yml', 'devrev-gate.ignore.json'] as const;
/** Pact files the team keeps of its own client, if any. */
export const USER_PACT_DIR = 'pacts';

export interface UserRepo {
  /** The folder the gate runs in: the root of the user's repository in CI. */
  root: string;
  /** Absolute paths of the files that exist; absent ones are undefined. */
  configFile?: string;
  sliceFile?: string;
  ignoreFile?: string;
  pactFiles: string[];
}

const firstExisting = (root: string, names: readonly string[]): string | undefined =>
  names.map((n) => join(root, n)).find((p) => existsSync(p) && statSync(p).isFile());

/**
 * The user's repository when `init` has set it up (a config file or a pinned slice exists
 * in `root`), else null: without it the gate works on the package's own pin and SARIF
 * locations stay logical.
 */
export const findUserRepo = (root: string = process.cwd()): UserRepo | null => {
  const configFile = firstExisting(root, USER_CONFIG_FILES);
  const sliceFile = firstExisting(root, [USER_SLICE_FILE]);
  if (!configFile && !sliceFile) return null;
  const pactDir = join(root, USER_PACT_DIR);
  const pactFiles =
    existsSync(pactDir) && statSync(pactDir).isDirectory()
      ? readdirSync(pactDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(pactDir, f))
      : [];
  return { root, configFile, sliceFile, ignoreFile: firstExisting(root, USER_IGNORE_FILES), pactFiles };
};

/** A path inside the user's repository as SARIF wants it: relative, forward slashes. */
export const repoRelative = (repo: UserRepo, path: string): string => relative(repo.root, path).split(sep).join('/');
