import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type UserRepo, repoRelative } from '../core/user-repo.ts';
import type { Finding } from '../core/results.ts';
import { located, locateFinding, pactTokens, type SourceFile, sliceTokens, sourceFile } from './source-location.ts';

/**
 * Where an alert goes in the user's repository. Code scanning shows an alert on a line of a
 * file of the repository it scanned, so every physical location names a file that exists
 * there: the user's pinned slice at the definition of the shape (drift, spec, contracts
 * without a pact of theirs), the user's own pact (contracts, when they keep one), else the
 * config file's `target:` line (load, properties, or when no better file exists). Without a
 * repository set up by `init` there is no such file, and alerts stay logical-only.
 */

/** A file of the user's repository an alert can point at. */
export interface RepoFile {
  uri: string;
  text: string;
  sha256: string;
  role: 'slice' | 'pact' | 'config';
}

export interface AlertPlace {
  file: RepoFile;
  line: number;
  column: number;
  /** RFC 6901 pointer into that file (JSON files only). */
  pointer: string | null;
}

/** The tool's own pointer: the definition in devrev-gate's pinned slice (or its pact). */
export interface ToolPointer {
  uri: string;
  pointer: string;
}

export interface AlertFiles {
  slice: (SourceFile & RepoFile) | null;
  pacts: Array<SourceFile & RepoFile>;
  config: (RepoFile & { targetLine: number; targetColumn: number }) | null;
}

const TARGET_LINE = /^(\s*)["']?target["']?\s*:/;

const configOf = (repo: UserRepo): AlertFiles['config'] => {
  if (!repo.configFile) return null;
  let text: string;
  try {
    text = readFileSync(repo.configFile, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const at = lines.findIndex((l) => TARGET_LINE.test(l));
  return {
    uri: repoRelative(repo, repo.configFile),
    text,
    sha256: createHash('sha256').update(text).digest('hex'),
    role: 'config',
    targetLine: at < 0 ? 1 : at + 1,
    targetColumn: at < 0 ? 1 : (TARGET_LINE.exec(lines[at]!)?.[1]?.length ?? 0) + 1,
  };
};

/** The files of the user's repository alerts can use; null without a repository set up by init. */
export const alertFiles = (repo: UserRepo | null): AlertFiles | null => {
  if (!repo) return null;
  const slice = repo.sliceFile ? sourceFile(repo.sliceFile, repo.root) : null;
  const pacts = repo.pactFiles.map((p) => sourceFile(p, repo.root)).filter((f): f is SourceFile => f !== null);
  const files: AlertFiles = {
    slice: slice && { ...slice, role: 'slice' },
    pacts: pacts.map((p) => ({ ...p, role: 'pact' })),
    config: configOf(repo),
  };
  return files.slice || files.pacts.length > 0 || files.config ? files : null;
};

const inJson = (file: SourceFile & RepoFile, tokens: string[]): AlertPlace => {
  const at = located(file, tokens);
  return { file, line: at.line, column: at.column, pointer: at.pointer };
};

/** A pointer the finding names in a document (docs drift), if the user's slice has it. */
const specPointerIn = (file: SourceFile, f: Finding): string | null => {
  for (const p of [f.specPointers?.to, f.specPointers?.from]) if (p != null && file.positions.has(p)) return p;
  return null;
};

/** Where the alert for `f` goes in the user's repository; null when no file of theirs fits. */
export const placeAlert = (files: AlertFiles | null, f: Finding): AlertPlace | null => {
  if (!files) return null;
  if (f.pillar === 'contracts') {
    for (const pact of files.pacts) {
      const tokens = pactTokens(pact.doc, f);
      if (tokens) return inJson(pact, tokens);
    }
  }
  if (files.slice && f.pillar !== 'load' && f.pillar !== 'properties') {
    const named = f.pillar === 'spec' ? specPointerIn(files.slice, f) : null;
    if (named !== null) {
      const position = files.slice.positions.get(named)!;
      return { file: files.slice, line: position.line, column: position.column, pointer: named };
    }
    return inJson(files.slice, sliceTokens(files.slice.doc, f.endpoint, f.status, f.pointer));
  }
  if (files.config) return { file: files.config, line: files.config.targetLine, column: files.config.targetColumn, pointer: null };
  return null;
};

/** The interactions of the user's own pacts a docs change touches (its impact), each at its line there. */
export const impactPlaces = (files: AlertFiles | null, f: Finding): Array<AlertPlace & { interaction: string; how: string }> => {
  if (!files || !f.impact) return [];
  const out: Array<AlertPlace & { interaction: string; how: string }> = [];
  for (const p of f.impact.pacts) {
    const pact = files.pacts.find((x) => x.uri === p.file);
    const doc = pact?.doc as { interactions?: Array<{ description?: unknown }> } | undefined;
    if (!pact || !Array.isArray(doc?.interactions)) continue;
    for (const t of p.touches) {
      const i = doc.interactions.findIndex((x) => x?.description === t.interaction);
      if (i >= 0) out.push({ ...inJson(pact, ['interactions', String(i)]), interaction: t.interaction, how: t.how });
    }
  }
  return out;
};

/** The tool's own definition of the shape `f` is about, in devrev-gate's pinned documents. */
export const toolPointer = (f: Finding): ToolPointer => {
  const where = locateFinding(f);
  return { uri: where.file.uri, pointer: where.pointer };
};
