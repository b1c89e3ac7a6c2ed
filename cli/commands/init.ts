import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { SLICE_KEY, type SliceInfo } from '../../api-model/openapi/extract.ts';
import { planPin } from '../../api-model/openapi/pin.ts';
import { SLICE_FILE } from '../../api-model/openapi/slice.ts';
import { UsageError } from '../../core/errors.ts';
import { USER_CONFIG_FILES, USER_IGNORE_FILES, USER_SLICE_FILE } from '../../core/user-repo.ts';
import { CONFIG_SCHEMA_NAME, configSchema } from '../settings/config-schema.ts';

/** The workflows the package ships for the user's repository, copied as they are. */
export const WORKFLOW_TEMPLATES = fileURLToPath(new URL('../../templates/workflows/', import.meta.url));
const WORKFLOWS_DIR = join('.github', 'workflows');

interface InitOptions {
  openapi?: string;
  commit?: string;
  date?: string;
  force?: boolean;
}

/** The settings `init` shows in the config file, commented out with `run`'s defaults. */
const SHOWN_SETTINGS = ['target', 'fail-on', 'out', 'max-requests', 'allow-remote', 'ignore'];

/** The commented config file; descriptions and defaults come from the schema, not from here. */
export const configTemplate = (program: Command): string => {
  type Prop = { description?: string; default?: unknown; properties?: Record<string, Prop> };
  const schema = (configSchema(program).properties as Record<string, Prop>)['run']!.properties!;
  const line = (key: string) => {
    const s = schema[key];
    if (!s) throw new Error(`init: no setting ${key}`);
    const value = s.default !== undefined ? JSON.stringify(s.default) : '';
    return `# ${key}: ${value}${' '.repeat(Math.max(1, 22 - key.length - value.length))}# ${s.description ?? ''}`.trimEnd();
  };
  return [
    `# yaml-language-server: $schema=node_modules/${program.name()}/${CONFIG_SCHEMA_NAME}`,
    `# devrev-gate settings for this repository. Every flag of every command can be set here`,
    '# under its long name; a flag or environment variable still wins over this file.',
    '# `devrev-gate config run` prints what a run would use and where each value comes from.',
    '# The token is never written here: set DEVREV_TOKEN in the environment (a CI secret).',
    `$schema: node_modules/${program.name()}/${CONFIG_SCHEMA_NAME}`,
    '',
    '# Settings for every command that has the flag:',
    ...SHOWN_SETTINGS.map(line),
    '',
    '# A section named for a command applies to that command only, and wins over the above:',
    '# run:',
    '#   skip: [load]',
    '',
    '# Records a real tenant must already hold, for the checks that reference them',
    '# (without them those checks are skipped, by name):',
    '# fixtures:',
    '#   revOrg: REV-…',
    '#   account: ACC-…',
    '#   tag: TAG-…',
    '#   artifact: ARTIFACT-…',
    '#   devUser: DEVU-…',
    '',
  ].join('\n');
};

const IGNORE_TEMPLATE = [
  '# Findings your team has accepted for a while. Each entry names a rule, optionally an',
  '# endpoint and a JSON pointer, a reason and an expiry date; an expired entry fails the run.',
  '#   - rule: response-property-added',
  '#     endpoint: rev-users.create',
  '#     path: /rev_user/timezone',
  '#     reason: DEV-123',
  '#     expires: 2026-12-31',
  'ignore: []',
  '',
].join('\n');

/** `devrev-gate init`: the user's repository gets its contract with DevRev, never overwritten without --force. */
export const register = (program: Command): void => {
  program
    .command('init')
    .description('set up this repository: config file, pinned slice of DevRev\'s document, ignore file, workflows (keeps existing files unless --force)')
    .option('--openapi <file>', 'pin this DevRev OpenAPI document (YAML or JSON) instead of the one the package ships with')
    .option('--commit <sha>', 'with --openapi: commit of the docs repository it comes from')
    .option('--date <yyyy-mm-dd>', 'with --openapi: the date it was published')
    .option('--force', 'overwrite files that exist')
    .action((o: InitOptions) => {
      if ((o.commit || o.date) && !o.openapi) throw new UsageError('--commit and --date describe --openapi FILE', 'add --openapi FILE or drop them');
      const root = process.cwd();
      const lines: string[] = [];
      // Everything is read and checked before the first write.
      const slicePath = join(root, USER_SLICE_FILE);
      const sliceText = o.openapi
        ? planPin({ file: o.openapi, out: slicePath, ...(o.commit ? { commit: o.commit } : {}), ...(o.date ? { date: o.date } : {}) }).text
        : readFileSync(SLICE_FILE, 'utf8');
      const templates = existsSync(WORKFLOW_TEMPLATES) ? readdirSync(WORKFLOW_TEMPLATES).filter((f) => statSync(join(WORKFLOW_TEMPLATES, f)).isFile()).sort() : [];

      const write = (rel: string, existing: string | undefined, put: (abs: string) => void) => {
        if (existing && !o.force) {
          lines.push(`kept ${existing} (it exists; --force overwrites)`);
          return;
        }
        const abs = join(root, rel);
        mkdirSync(dirname(abs), { recursive: true });
        put(abs);
        lines.push(`wrote ${rel}`);
      };
      const firstExisting = (names: readonly string[]) => names.find((n) => existsSync(join(root, n)));

      // Another spelling of the same file (the older devrev-gate.config.json) is the user's: a
      // second file beside it would take over silently, so it is kept even with --force.
      const one = (names: readonly string[], put: (abs: string) => void) => {
        const existing = firstExisting(names);
        if (existing && existing !== names[0]) lines.push(`kept ${existing} (init writes ${names[0]} only where none of ${names.join(', ')} exists)`);
        else write(names[0]!, existing, put);
      };
      one(USER_CONFIG_FILES, (abs) => writeFileSync(abs, configTemplate(program)));
      one([USER_SLICE_FILE], (abs) => writeFileSync(abs, sliceText));
      one(USER_IGNORE_FILES, (abs) => writeFileSync(abs, IGNORE_TEMPLATE));
      if (templates.length === 0) lines.push('no workflow templates in this package: wrote no workflow');
      for (const t of templates) {
        const rel = join(WORKFLOWS_DIR, t);
        write(rel, firstExisting([rel]), (abs) => copyFileSync(join(WORKFLOW_TEMPLATES, t), abs));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      const pinned = (JSON.parse(sliceText)[SLICE_KEY] as SliceInfo | undefined)?.source;
      process.stdout.write(
        `pinned: ${basename(pinned?.file ?? '?')} (${pinned?.commit ?? 'commit unknown'}, ${pinned?.date ?? 'date unknown'}) in ${USER_SLICE_FILE}; ` +
          'next: set DEVREV_API_URL and DEVREV_TOKEN, then devrev-gate run\n',
      );
    });
};
