import type { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { DEFAULT_IGNORE_FILES } from '../../api-model/ignore.ts';
import { defaultConfigFile, readConfigFile } from '../../core/config.ts';
import { UsageError } from '../../core/errors.ts';
import { shownPath } from '../../core/shown-path.ts';
import { fileOrigins } from '../settings/apply.ts';
import { isSecret, settingKey } from '../settings/config-schema.ts';

interface Row {
  key: string;
  value: string;
  source: string;
}

const shown = (o: Option, value: unknown): string => {
  if (value === undefined) return '(unset)';
  if (isSecret(o)) return '(set, redacted)';
  if (Array.isArray(value)) return value.join(',');
  // A URL's user and password are as secret as the token.
  if (typeof value === 'string') return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
  return String(value);
};

const sourceOf = (cmd: Command, o: Option): string => {
  const attr = o.attributeName();
  switch (cmd.getOptionValueSource(attr)) {
    case 'cli':
      return 'flag';
    case 'env':
      return `env ${o.envVar}`;
    case 'config':
      return fileOrigins(cmd).get(attr) ?? 'file';
    default:
      return 'default';
  }
};

/** Runs the command's own parsing (config file included) with an action that only looks. */
const effective = async (args: string[]): Promise<{ path: string[]; rows: Row[]; file: string | null }> => {
  const { buildProgram } = await import('../main.ts');
  const program = buildProgram();
  const path: string[] = [];
  let at: Command = program;
  for (const a of args) {
    const next = at.commands.find((c) => c.name() === a);
    if (!next || ['config', 'init', 'help'].includes(next.name())) break;
    path.push(a);
    at = next;
  }
  const rest = args.slice(path.length);
  if (path.length === 0) {
    path.push('run');
    at = program.commands.find((c) => c.name() === 'run')!;
  }
  if (at.commands.length > 0)
    throw new UsageError(`devrev-gate ${path.join(' ')} has subcommands`, `name one: ${at.commands.map((c) => `${path.join(' ')} ${c.name()}`).join(', ')}`);
  let rows: Row[] = [];
  let file: string | null = null;
  const leaf = at;
  leaf.action(function (this: Command) {
    const o = this.opts();
    file = (o['config'] as string | undefined) ?? defaultConfigFile() ?? null;
    rows = this.options
      .filter((opt) => opt.long && !['--help', '--debug', '--config'].includes(opt.long))
      .map((opt) => ({ key: settingKey(opt), value: shown(opt, o[opt.attributeName()]), source: sourceOf(this, opt) }));
    // Unset --ignore means the ignore file found here, as every command loads it: show that file.
    const ignore = rows.find((r) => r.key === 'ignore');
    const found = DEFAULT_IGNORE_FILES.filter((f) => existsSync(f));
    if (ignore && o['ignore'] === undefined && found.length > 0) Object.assign(ignore, { value: found.join(' and '), source: 'default (found here)' });
    if (file) {
      const cfg = readConfigFile(file);
      const fixtures = cfg.data['fixtures'];
      if (fixtures && typeof fixtures === 'object')
        rows.push({ key: 'fixtures', value: Object.keys(fixtures).join(',') || '(none)', source: `${shownPath(cfg.path)}:${cfg.lineOf(['fixtures'])}` });
    }
  });
  await program.parseAsync([...path, ...rest], { from: 'user' });
  return { path, rows, file };
};

/** `devrev-gate config [COMMAND [FLAGS]]`: the effective settings and where each came from. */
export const register = (program: Command): void => {
  program
    .command('config')
    .description('print the effective settings of a command (default: run) and where each came from: flag, env, file:line or default')
    .argument('[command...]', 'the command and its flags as you would run them, e.g. config run --skip load')
    .option('--json', 'print JSON instead of a table')
    .allowUnknownOption()
    .helpCommand(false)
    .action(async (args: string[], o: { json?: boolean }) => {
      const r = await effective(args);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ command: r.path.join(' '), configFile: r.file && shownPath(r.file), settings: r.rows }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...r.rows.map((x) => x.key.length));
      const vwidth = Math.min(48, Math.max(...r.rows.map((x) => x.value.length)));
      const lines = [`devrev-gate ${r.path.join(' ')}: config file ${r.file ? shownPath(r.file) : '(none)'}`];
      for (const x of r.rows) lines.push(`  ${x.key.padEnd(width)}  ${x.value.padEnd(vwidth)}  ${x.source}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
};
