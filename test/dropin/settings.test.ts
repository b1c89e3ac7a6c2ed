import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../cli/main.ts';
import {
  CONFIG_SCHEMA_NAME,
  configSchemaText,
  isSecret,
  settingCommands,
  settingKey,
  settingOptions,
} from '../../cli/settings/config-schema.ts';

// One config file holds every setting of every command: its schema is derived from the
// commands' flags, so a flag without a key (or a key without a flag) cannot exist; the
// shipped schema file is that derivation, written out; precedence is flag > env > file > default.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/devrev-gate.js');

const scratches: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-settings-'));
  scratches.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});
const configIn = (dir: string, text: string, name = 'devrev-gate.config.yaml') => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

interface Setting {
  key: string;
  value: string;
  source: string;
}

/** `devrev-gate config --json ARGS` in this process (fast); env is set for the call only. */
const effective = async (args: string[], env: Record<string, string> = {}): Promise<Map<string, Setting>> => {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const saved = { DEVREV_API_URL: process.env['DEVREV_API_URL'], DEVREV_TOKEN: process.env['DEVREV_TOKEN'] };
  delete process.env['DEVREV_API_URL'];
  delete process.env['DEVREV_TOKEN'];
  Object.assign(process.env, env);
  try {
    const code = await main(['node', 'devrev-gate', 'config', '--json', ...args]);
    expect(code).toBe(0);
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    process.exitCode = undefined;
  }
  const parsed = JSON.parse(out) as { settings: Setting[] };
  return new Map(parsed.settings.map((s) => [s.key, s]));
};

/** A CLI run as a person makes it: separate process, no DevRev env unless given. */
const cli = (args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> => {
  const env = { ...process.env, ...o.env };
  if (!o.env?.['DEVREV_API_URL']) delete env['DEVREV_API_URL'];
  if (!o.env?.['DEVREV_TOKEN']) delete env['DEVREV_TOKEN'];
  return new Promise((done) =>
    execFile(process.execPath, [BIN, ...args], { cwd: o.cwd, env, timeout: 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the config schema', () => {
  const program = buildProgram();

  it('is the file the package ships (run npm run config:schema after changing a flag)', () => {
    expect(readFileSync(join(ROOT, CONFIG_SCHEMA_NAME), 'utf8')).toBe(configSchemaText(program));
  });

  it('is a valid JSON Schema that accepts a file init would write and refuses a misspelt key', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, CONFIG_SCHEMA_NAME), 'utf8')) as object;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ $schema: 'node_modules/devrev-gate/config.schema.json', 'fail-on': 'warning', run: { skip: ['load'] }, fixtures: { revOrg: 'REV-1' } })).toBe(true);
    expect(validate({ 'fail-onn': 'warning' })).toBe(false);
    expect(validate({ run: { 'max-requests': 'many' } })).toBe(false);
  });

  it('has a key for every flag of every command, and no key without a flag', () => {
    type Node = { properties?: Record<string, Node> };
    const schema = JSON.parse(configSchemaText(program)) as Node;
    const sectionAt = (path: string[]) => path.reduce<Node | undefined>((n, name) => n?.properties?.[name], schema);
    const commands = settingCommands(program);
    expect(commands.map((c) => c.path.join(' '))).toEqual(expect.arrayContaining(['run', 'drift', 'load probe', 'spec pin', 'serve', 'report', 'cleanup']));
    for (const { path, cmd } of commands) {
      const section = sectionAt(path);
      expect(section, path.join(' ')).toBeDefined();
      // Only the file itself, --debug and secrets stay out of the file.
      const allowed = new Set(['--config', '--debug', ...cmd.options.filter(isSecret).map((o) => o.long)]);
      const left = cmd.options.filter((o) => !settingOptions(cmd).includes(o)).map((o) => o.long);
      expect(left.filter((f) => !allowed.has(f)), path.join(' ')).toEqual([]);
      const keys = settingOptions(cmd).map(settingKey).sort();
      expect(Object.keys(section!.properties ?? {}).sort(), path.join(' ')).toEqual(keys);
      // Each key is also accepted at the top and in every enclosing section, unless a
      // subcommand there has its name.
      for (let i = 0; i < path.length; i++) {
        const outer = sectionAt(path.slice(0, i))!;
        const siblings = walk(program, path.slice(0, i)).commands.map((c) => c.name());
        for (const k of keys) if (!siblings.includes(k)) expect(Object.keys(outer.properties!), `${k} above ${path.join(' ')}`).toContain(k);
      }
    }
  });
});

const walk = (program: Command, path: string[]): Command =>
  path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, program);

describe('precedence: flag > environment > file > default', () => {
  // One row per kind of setting; each is read with no file, from the file, with the
  // environment over the file (where the flag has a variable) and with the flag over both.
  const ROWS: Array<{
    kind: string;
    command: string[];
    required?: string[];
    key: string;
    yaml: string;
    fileValue: string;
    flag: string[];
    flagValue: string;
    env?: [string, string];
  }> = [
    { kind: 'string with a variable', command: ['run'], key: 'target', yaml: 'target: http://127.0.0.1:9/file', fileValue: 'http://127.0.0.1:9/file', flag: ['--target', 'http://127.0.0.1:9/flag'], flagValue: 'http://127.0.0.1:9/flag', env: ['DEVREV_API_URL', 'http://127.0.0.1:9/env'] },
    { kind: 'string', command: ['drift'], key: 'out', yaml: 'out: from-file', fileValue: 'from-file', flag: ['--out', 'from-flag'], flagValue: 'from-flag' },
    { kind: 'choice', command: ['run'], key: 'fail-on', yaml: 'fail-on: warning', fileValue: 'warning', flag: ['--fail-on', 'error'], flagValue: 'error' },
    { kind: 'integer', command: ['run'], key: 'max-requests', yaml: 'max-requests: 50', fileValue: '50', flag: ['--max-requests', '70'], flagValue: '70' },
    { kind: 'number', command: ['load', 'capacity'], key: 'rate', yaml: 'rate: 2.5', fileValue: '2.5', flag: ['--rate', '3'], flagValue: '3' },
    { kind: 'list', command: ['run'], key: 'skip', yaml: 'skip: [load, drift]', fileValue: 'load,drift', flag: ['--skip', 'contracts'], flagValue: 'contracts' },
    { kind: 'repeatable', command: ['properties'], key: 'property', yaml: 'property: [a, b]', fileValue: 'a,b', flag: ['--property', 'c'], flagValue: 'c' },
    { kind: 'switch', command: ['run'], key: 'allow-remote', yaml: 'allow-remote: true', fileValue: 'true', flag: ['--allow-remote'], flagValue: 'true' },
    { kind: 'negated switch', command: ['spec', 'diff'], required: ['--from', 'pinned', '--to', 'pinned'], key: 'pact', yaml: 'pact: false', fileValue: 'false', flag: ['--no-pact'], flagValue: 'false' },
  ];

  for (const row of ROWS) {
    it(`${row.kind} (${row.command.join(' ')} ${row.key})`, async () => {
      const dir = scratch();
      const file = configIn(dir, `# a comment\n${row.yaml}\n`);
      const base = [...row.command, ...(row.required ?? [])];
      // The default is the flag's own (commander's), whatever it is today.
      const option = walk(buildProgram(), row.command).options.find((o) => settingKey(o) === row.key)!;
      // A lone --no-x flag defaults x to true (commander sets it, not the option).
      const given = option.defaultValue ?? (option.negate ? true : undefined);
      const defaultValue = given === undefined ? '(unset)' : String(given);
      const none = (await effective([...base, '--config', configIn(dir, '{}\n', 'empty.yaml')])).get(row.key)!;
      expect(none).toEqual({ key: row.key, value: defaultValue, source: 'default' });
      const fromFile = (await effective([...base, '--config', file])).get(row.key)!;
      expect(fromFile.value).toBe(row.fileValue);
      expect(fromFile.source).toMatch(/devrev-gate\.config\.yaml:2$/);
      if (row.env) {
        const fromEnv = (await effective([...base, '--config', file], { [row.env[0]]: row.env[1] })).get(row.key)!;
        expect(fromEnv).toEqual({ key: row.key, value: row.env[1], source: `env ${row.env[0]}` });
      }
      const fromFlag = (await effective([...base, '--config', file, ...row.flag], row.env ? { [row.env[0]]: row.env[1] } : {})).get(row.key)!;
      expect(fromFlag).toEqual({ key: row.key, value: row.flagValue, source: 'flag' });
    });
  }

  it('an empty variable (a CI secret that is not set) does not hide the file', async () => {
    const file = configIn(scratch(), 'target: http://127.0.0.1:9/file\n');
    expect((await effective(['run', '--config', file], { DEVREV_API_URL: '' })).get('target')).toMatchObject({ value: 'http://127.0.0.1:9/file', source: expect.stringMatching(/:1$/) });
  });

  it('a command section wins over the top of the file, for that command only', async () => {
    const file = configIn(scratch(), 'seed: 1\nrun:\n  seed: 2\nload:\n  concurrency: 3\n  probe:\n    concurrency: 4\n');
    expect((await effective(['run', '--config', file])).get('seed')).toMatchObject({ value: '2', source: expect.stringMatching(/:3$/) });
    expect((await effective(['properties', '--config', file])).get('seed')).toMatchObject({ value: '1', source: expect.stringMatching(/:1$/) });
    expect((await effective(['load', 'probe', '--config', file])).get('concurrency')).toMatchObject({ value: '4', source: expect.stringMatching(/:7$/) });
    expect((await effective(['load', 'recovery', '--config', file])).get('concurrency')).toMatchObject({ value: '3', source: expect.stringMatching(/:5$/) });
  });

  it('a JSON file with only fixtures (the older format) still works, and its settings apply too', async () => {
    const dir = scratch();
    const file = configIn(dir, JSON.stringify({ fixtures: { revOrg: 'REV-1' }, 'fail-on': 'warning' }, null, 2), 'devrev-gate.config.json');
    const s = await effective(['drift', '--config', file]);
    expect(s.get('fail-on')).toMatchObject({ value: 'warning', source: expect.stringMatching(/devrev-gate\.config\.json:5$/) });
    expect(s.get('fixtures')).toMatchObject({ value: 'revOrg' });
  });
});

describe('devrev-gate config, as a person runs it', () => {
  it('finds the file here, prints each setting with where it came from, and never prints the token', async () => {
    const dir = scratch();
    configIn(dir, ['$schema: node_modules/devrev-gate/config.schema.json', 'fail-on: warning', 'run:', '  skip: [load]', ''].join('\n'));
    const r = await cli(['config', 'run', '--max-requests', '9'], {
      cwd: dir,
      env: { DEVREV_TOKEN: 'tok-secret-123', DEVREV_API_URL: 'https://user:pw@api.devrev.example' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = (key: string) => r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${key} `)) ?? '';
    expect(r.stdout.split('\n')[0]).toBe('devrev-gate run: config file devrev-gate.config.yaml');
    expect(line('fail-on')).toMatch(/warning\s+devrev-gate\.config\.yaml:2$/);
    expect(line('skip')).toMatch(/load\s+devrev-gate\.config\.yaml:4$/);
    expect(line('max-requests')).toMatch(/9\s+flag$/);
    expect(line('token')).toMatch(/\(set, redacted\)\s+env DEVREV_TOKEN$/);
    expect(line('target')).toMatch(/https:\/\/\*\*\*@api\.devrev\.example\s+env DEVREV_API_URL$/);
    expect(line('auth-scheme')).toMatch(/sdk\s+default$/);
    expect(r.stdout).not.toContain('tok-secret-123');
    expect(r.stdout).not.toContain('pw@');
  });

  it('shows the ignore file found here as the one every command will load, not (unset)', async () => {
    const dir = scratch();
    configIn(dir, 'fail-on: error\n');
    writeFileSync(join(dir, 'devrev-gate.ignore.yaml'), 'ignore: []\n');
    const r = await cli(['config', 'run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\n {2}ignore +devrev-gate\.ignore\.yaml +default \(found here\)\n/);
    const none = await cli(['config', 'run'], { cwd: scratch() });
    expect(none.stdout).toMatch(/\n {2}ignore +\(unset\) +default\n/);
  });

  it('--token still works but warns once, on stderr, that other processes can see it', async () => {
    const r = await cli(['config', 'run', '--token', 'tok-on-the-command-line', '--target', 'http://127.0.0.1:9'], { cwd: scratch() });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['devrev-gate: warning: --token on the command line can be read by other processes on this machine; set DEVREV_TOKEN instead']);
    expect(r.stdout).toMatch(/token\s+\(set, redacted\)\s+flag/);
    expect(r.stdout + r.stderr).not.toContain('tok-on-the-command-line');
  });
});

describe('a bad config file: one line naming the file, the key and the fix, exit 2', () => {
  const CASES: Array<[string, string, string, RegExp]> = [
    ['a token', 'devrev-gate.config.yaml', 'fail-on: error\ntoken: abc123\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: token: a token never goes in a config file: remove the key and set DEVREV_TOKEN in the environment/],
    ['a token in a section', 'devrev-gate.config.yaml', 'load:\n  recovery:\n    second-token: abc123\n', /^devrev-gate: config devrev-gate\.config\.yaml:3: load\.recovery\.second-token: a token never goes in a config file: remove the key and set DEVREV_TOKEN_B/],
    ['YAML syntax', 'devrev-gate.config.yaml', 'fail-on: error\nrun: [oops\n', /^devrev-gate: config devrev-gate\.config\.yaml:\d+: is not valid YAML \(.+\): fix the syntax\n$/],
    ['JSON syntax', 'devrev-gate.config.json', '{ "fixtures": ', /^devrev-gate: config devrev-gate\.config\.json: is not valid JSON \(.+\): fix the syntax/],
    ['a misspelt key', 'devrev-gate.config.yaml', '# c\nmax-request: 5\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: unknown key "max-request": did you mean max-requests\?\n$/],
    ['a key in the wrong section', 'devrev-gate.config.yaml', 'serve:\n  skip: [load]\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: unknown key "skip" in serve: /],
    ['a wrong type', 'devrev-gate.config.yaml', 'run:\n  max-requests: lots\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: run\.max-requests: must be integer: fix the value/],
    ['a value not among the choices', 'devrev-gate.config.yaml', 'fail-on: sometimes\n', /^devrev-gate: config devrev-gate\.config\.yaml:1: fail-on: must be equal to one of the allowed values \(one of error, warning\)/],
    ['a value the flag refuses', 'devrev-gate.config.yaml', 'run:\n  skip: [lunch]\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: run\.skip\[0\]: must be equal to one of the allowed values \(one of contracts, drift, properties, load\)/],
    ['a bad fixture', 'devrev-gate.config.yaml', 'fixtures:\n  revOrg: 7\n', /^devrev-gate: config devrev-gate\.config\.yaml:2: fixtures\.revOrg: must be string/],
    ['not a mapping', 'devrev-gate.config.yaml', '- a\n- b\n', /^devrev-gate: config devrev-gate\.config\.yaml:1: must be a mapping of settings/],
  ];

  it.each(CASES)('%s', async (_name, fileName, text, message) => {
    const dir = scratch();
    configIn(dir, text, fileName);
    const r = await cli(['drift', '--out', join(dir, 'out')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/ {4}at /);
    expect(r.stdout + r.stderr).not.toContain('abc123');
  });

  it('a value only the flag parser refuses is named with its line too', async () => {
    const dir = scratch();
    const file = configIn(dir, 'load:\n  probe:\n    simulate: fixed-window:many\n');
    const r = await cli(['load', 'probe', '--config', file, '--out', join(dir, 'out')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^devrev-gate: config \S*devrev-gate\.config\.yaml:3: load\.probe\.simulate: .*is not a limiter: fix the value/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a required flag may come from the file; missing everywhere, it is one line naming both', async () => {
    const dir = scratch();
    const r = await cli(['spec', 'diff', '--to', 'pinned', '--out', join(dir, 'o')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('devrev-gate: required option --from <doc> not specified: pass --from, or set from: in the config file\n');
    configIn(dir, 'spec:\n  diff:\n    from: pinned\n');
    const ok = await cli(['spec', 'diff', '--to', 'pinned', '--no-pact', '--quiet', '--out', join(dir, 'o')], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});
