import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands/index.ts';
import { buildProgram } from '../../cli/main.ts';

// `devrev-gate --help` is the menu a person reads first: every subcommand on it must be one
// that cli/commands/index.ts registers, and each must answer its own --help.

const BIN = resolve(import.meta.dirname, '../../bin/devrev-gate.js');

const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) =>
    execFile(process.execPath, [BIN, ...args], { timeout: 150_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

/** The names under "Commands:" in a help text, without commander's own `help`. */
const listed = (help: string): string[] => {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
};

/** What the modules of cli/commands/index.ts register, in order, each on a bare program. */
const registered = (): string[] =>
  commands.flatMap((register) => {
    const bare = new Command('bare');
    register(bare);
    return bare.commands.map((c) => c.name());
  });

describe('devrev-gate --help', () => {
  it('lists exactly the subcommands the modules in cli/commands/index.ts register', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const names = listed(r.stdout);
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(registered());
    expect(r.stdout).toMatch(/Exit codes: 0 all checks passed, 1 the provider failed a check, 2 usage or setup error/);
  });

  it('lists only subcommands that answer their own --help with exit 0', async () => {
    const names = listed((await cli(['--help'])).stdout);
    const program = buildProgram();
    const results = await Promise.all(
      names.map(async (name) => {
        const r = await cli([name, '--help']);
        const sub = program.commands.find((c) => c.name() === name)!;
        const nested = sub.commands.map((c) => c.name());
        // A command group (load) lists its own subcommands, and each of those answers too.
        const inner = await Promise.all(nested.map(async (n) => ({ n, r: await cli([name, n, '--help']) })));
        return { name, r, nested: listed(r.stdout), expectedNested: nested, inner };
      }),
    );
    for (const { name, r, nested, expectedNested, inner } of results) {
      expect(r.code, `${name} --help`).toBe(0);
      expect(r.stdout, `${name} --help`).toMatch(new RegExp(`^Usage: devrev-gate ${name}\\b`));
      expect(nested, `${name} --help`).toEqual(expectedNested);
      for (const { n, r: ir } of inner) {
        expect(ir.code, `${name} ${n} --help`).toBe(0);
        expect(ir.stdout).toMatch(new RegExp(`^Usage: devrev-gate ${name} ${n}\\b`));
      }
    }
  });

  it('refuses a subcommand that is not registered with exit 2', async () => {
    const r = await cli(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command 'no-such-command'/);
  });
});

describe('output into a pipe that closes early', () => {
  it('ends quietly: `devrev-gate --help | head -0` prints no stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    // Like `head -0`: the reading end is closed before the first line is written.
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).not.toMatch(/EPIPE|at \S+ \(/);
    expect(code).toBe(0);
  }, 150_000);
});
