import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/settings/fixtures.ts';
import { UsageError } from '../../core/errors.ts';
import type { RunResults } from '../../core/results.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';

const write = (content: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'gate-config-')), 'devrev-gate.config.json');
  writeFileSync(file, content);
  return file;
};

const FIXTURES = {
  revOrg: 'REV-AbCdEfGh',
  account: 'ACC-12345',
  tag: 'TAG-12345',
  artifact: 'ARTIFACT-12345',
  devUser: 'DEVU-1',
  tenantCustomFields: { tnt__tier: 'gold' },
  subtype: { name: 'partner', fields: { ctype__region: 'eu' } },
};

describe('the config file', () => {
  it('loads the tenant fixtures a real target needs', () => {
    expect(loadConfig(write(JSON.stringify({ fixtures: FIXTURES }))).fixtures).toEqual(FIXTURES);
  });

  it('is optional at its default path but required when named', () => {
    expect(loadConfig()).toEqual({});
    expect(() => loadConfig('/nonexistent/devrev-gate.config.json')).toThrow(/cannot be read/);
  });

  it('refuses malformed files in one line naming the file and the place', () => {
    const cases: Array<[string, RegExp]> = [
      ['{ "fixtures": ', /is not valid JSON/],
      ['{ "fixtures": { "revOrg": 7 } }', /\/fixtures\/revOrg must be string/],
      ['{ "fixtures": { "tenantCustomFields": { "tier": 1 } } }', /"tier" is not a tnt__ field/],
      ['{ "fixtures": { "subtype": { "name": "p", "fields": { "tnt__x": 1 } } } }', /"tnt__x" is not a ctype__ field/],
    ];
    for (const [content, message] of cases) {
      const file = write(content);
      expect(() => loadConfig(file)).toThrow(UsageError);
      expect(() => loadConfig(file)).toThrow(message);
    }
  });
});

describe('fixtures from the config file', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  const drift = (config: string, out: string) =>
    new Promise<number | null>((resolve) => {
      execFile(
        process.execPath,
        ['bin/devrev-gate.js', 'drift', '--target', sim.url, '--token', 'cfg-token', '--out', out, '--config', config],
        { env: { ...process.env, DEVREV_API_URL: '', DEVREV_TOKEN: '' } },
        (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
      );
    });

  const skipped = async (config: string) => {
    const out = mkdtempSync(join(tmpdir(), 'gate-config-out-'));
    expect(await drift(config, out)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    return results.pillars[0]!.checks.filter((c) => c.outcome === 'skipped' && c.id.includes('full-create'));
  };

  it('turn the full creates on for a real target; without them those checks are skipped by name', async () => {
    const without = await skipped(write('{}'));
    expect(without.map((c) => c.reason)).toEqual([
      expect.stringMatching(/needs tenant fixtures: .*devrev-gate.config.yaml/),
      expect.stringMatching(/needs tenant fixtures: .*devrev-gate.config.yaml/),
    ]);
    expect(await skipped(write(JSON.stringify({ fixtures: FIXTURES })))).toEqual([]);
  });
});
