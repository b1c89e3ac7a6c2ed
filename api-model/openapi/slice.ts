import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUserRepo, USER_SLICE_FILE } from '../../core/user-repo.ts';
import type { OpenApiDocument } from './document.ts';
import { SLICE_KEY, type SliceInfo } from './extract.ts';

/** The package's own pin: the slice this suite is built and tested on. */
export const SLICE_FILE = fileURLToPath(new URL('./devrev-slice.json', import.meta.url));

/**
 * The pin in force: the user's (`devrev-gate/openapi-slice.json`, written by `init`) when
 * the folder the gate runs in has one, else the package's. Read once per process, so every
 * shape, case and rule derived from it sees the same document.
 */
export const activeSliceFile = (cwd: string = process.cwd()): string => findUserRepo(cwd)?.sliceFile ?? SLICE_FILE;

/**
 * Where `spec pin` writes: the user's pin in a repository set up by `init` (it has a config
 * file or a pin), else the package's own (this project's `npm run spec:pin`).
 */
export const pinTarget = (cwd: string = process.cwd()): string => {
  const repo = findUserRepo(cwd);
  return repo ? (repo.sliceFile ?? join(repo.root, USER_SLICE_FILE)) : SLICE_FILE;
};

let cachedFile: string | undefined;
let cachedDoc: OpenApiDocument | undefined;

/** The file `pinnedSlice()` reads: fixed at the first call of the process. */
export const pinnedSliceFile = (): string => {
  cachedFile ??= activeSliceFile();
  return cachedFile;
};

/** The pinned slice in force, parsed once per process. Callers must not mutate it. */
export const pinnedSlice = (): OpenApiDocument => {
  cachedDoc ??= JSON.parse(readFileSync(pinnedSliceFile(), 'utf8')) as OpenApiDocument;
  return cachedDoc;
};

export const sliceInfo = (doc: OpenApiDocument = pinnedSlice()): SliceInfo => doc[SLICE_KEY] as SliceInfo;

/** The slice as committed: stable text, so regenerating it from the same document changes nothing. */
export const sliceText = (slice: OpenApiDocument): string => `${JSON.stringify(slice, null, 2)}\n`;
