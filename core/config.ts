import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { UsageError } from './errors.ts';
import { shownPath } from './shown-path.ts';
import { findUserRepo } from './user-repo.ts';

/**
 * The config file's `fixtures`: what a real tenant must name for the checks that reference
 * existing records (full creates, custom fields). The embedded simulator needs none of it;
 * against other targets, checks whose fixtures are missing are skipped by name.
 */
const Id = (description: string) => Type.String({ minLength: 1, description });

export const FixturesSchema = Type.Object(
  {
    revOrg: Type.Optional(Id('an existing rev org id (REV-…) for rev_org')),
    account: Type.Optional(Id('an existing account id (ACC-…) for account')),
    tag: Type.Optional(Id('an existing tag id (TAG-…) for tags')),
    artifact: Type.Optional(Id('an existing artifact id (ARTIFACT-…) for artifacts and display_picture')),
    devUser: Type.Optional(Id('an existing dev user id (DEVU-…) for reports_to')),
    tenantCustomFields: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'tnt__ fields defined in the tenant schema, with a valid value each' }),
    ),
    subtype: Type.Optional(
      Type.Object(
        { name: Id('a subtype defined for rev users'), fields: Type.Record(Type.String(), Type.Unknown()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Fixtures = Static<typeof FixturesSchema>;

/** What the gate reads from the file: the fixtures; the settings are applied to the command's options. */
export interface GateConfig {
  fixtures?: Fixtures;
}

/** A config file as read: its data, and where each key sits, for messages and `devrev-gate config`. */
export interface ConfigFile {
  /** The path as given or found. */
  path: string;
  data: Record<string, unknown>;
  /** 1-based line of the key at this path of keys; the file's first line when it is not there. */
  lineOf: (keys: readonly string[]) => number;
}

/** The default config file: the one `init` writes (or the older JSON one) in the folder the gate runs in. */
export const defaultConfigFile = (cwd = process.cwd()): string | undefined => findUserRepo(cwd)?.configFile;

const isYaml = (path: string) => /\.ya?ml$/i.test(path);

/** One line naming the file and where in it, with the fix. */
export const configError = (file: ConfigFile | string, line: number | null, problem: string, fix: string): UsageError => {
  const path = typeof file === 'string' ? file : file.path;
  return new UsageError(`config ${shownPath(path)}${line ? `:${line}` : ''}: ${problem}`, fix);
};

/**
 * Reads a YAML or JSON config file. Syntax errors and a non-object are refused here, in one
 * line naming the file and the line; the keys are validated at start-up against the schema
 * derived from the commands (cli/settings).
 */
export const readConfigFile = (path: string): ConfigFile => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw configError(path, null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'fix the path given with --config');
  }
  const lines = new LineCounter();
  // JSON is checked by JSON's own parser so a trailing comma is an error, as editors say.
  if (!isYaml(path)) {
    try {
      JSON.parse(text);
    } catch (err) {
      throw configError(path, null, `is not valid JSON (${(err as Error).message.split('\n')[0]})`, 'fix the syntax, or write the file as YAML (devrev-gate.config.yaml)');
    }
  }
  // logLevel error: the yaml package would print its warnings as Node warnings on stderr.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw configError(path, line, `is not valid ${isYaml(path) ? 'YAML' : 'JSON'} (${e.message.split('\n')[0]})`, 'fix the syntax');
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    throw configError(path, null, `cannot be read as data (${(err as Error).message.split('\n')[0]})`, 'fix the file');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw configError(path, 1, 'must be a mapping of settings', 'see the $schema the file names, or run devrev-gate init');
  const lineOf = (keys: readonly string[]): number => {
    let node: unknown = doc.contents;
    let line = 1;
    for (const k of keys) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === k);
      if (!pair) break;
      const range = (pair.key as { range?: [number, number, number] }).range;
      if (range) line = lines.linePos(range[0]).line;
      node = pair.value;
    }
    return line;
  };
  return { path, data: data as Record<string, unknown>, lineOf };
};
