import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import type { Finding } from '../../core/results.ts';
import { applyIgnore, isExpired, loadIgnore, parseIgnore } from '../../api-model/ignore.ts';

const finding = (over: Partial<Finding> = {}): Finding => ({
  checkId: 'drift.rev-users.create.minimal-create',
  pillar: 'drift',
  endpoint: 'rev-users.create',
  status: 201,
  ruleId: 'response-property-added',
  severity: 'info',
  basis: 'spec',
  pointer: '/rev_user/timezone',
  message: 'm',
  reproduction: null,
  ...over,
});

const NOW = Date.parse('2026-06-15T12:00:00Z');

const problem = (text: string, file = 'devrev-gate.ignore.json') => {
  try {
    parseIgnore(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).oneLine();
  }
  throw new Error('expected the ignore file to be refused');
};

describe('the ignore file', () => {
  it('reads JSON and YAML, with or without the "ignore" key', () => {
    const json = parseIgnore('{"ignore":[{"rule":"response-property-added","reason":"DEV-1","expires":"2026-07-01"}]}', 'a.json');
    expect(json.entries).toEqual([{ rule: 'response-property-added', reason: 'DEV-1', expires: '2026-07-01' }]);
    expect(json.pointers).toEqual(['/ignore/0']);
    const yaml = parseIgnore('- rule: response-property-added\n  endpoint: rev-users.create\n  path: /rev_user\n  reason: DEV-1\n  expires: 2026-07-01\n', 'a.yaml');
    expect(yaml.entries).toEqual([
      { rule: 'response-property-added', endpoint: 'rev-users.create', path: '/rev_user', reason: 'DEV-1', expires: '2026-07-01' },
    ]);
    expect(yaml.pointers).toEqual(['/0']);
  });

  it('refuses a malformed file with one line naming the file and the problem', () => {
    expect(problem('{"ignore": [')).toMatch(/^ignore file devrev-gate\.ignore\.json: not valid JSON/);
    expect(problem('{"ignore": [{"rule": "response-property-added"}]}')).toContain('entry 1 needs a "reason"');
    expect(problem('{"ignore": [{"rule": "response-thing", "reason": "x"}]}')).toContain('entry 1 names no known rule ("response-thing")');
    expect(problem('{"ignore": [{"rule": "response-property-added", "reason": "x", "expires": "soon"}]}')).toContain(
      '"expires" must be a date',
    );
    expect(problem('{"ignore": [{"rule": "response-property-added", "reason": "x", "path": "rev_user"}]}')).toContain(
      '"path" must be a JSON pointer',
    );
    expect(problem('{"ignore": [{"rule": "response-property-added", "reason": "x", "until": "2026-01-01"}]}')).toContain(
      'unknown key "until"',
    );
    expect(problem('{"rules": []}')).toContain('expected {"ignore": [entries]}');
    expect(problem('rule: [', 'x.yml')).toContain('not valid YAML');
    for (const p of [problem('{"ignore": ['), problem('rule: [', 'x.yml')]) expect(p).not.toContain('\n');
  });

  it('holds an entry through its expiry day and not a moment longer', () => {
    const e = { rule: 'response-property-added' as const, reason: 'r', expires: '2026-06-15' };
    expect(isExpired(e, NOW)).toBe(false);
    expect(isExpired(e, Date.parse('2026-06-16T00:00:00Z'))).toBe(true);
    expect(isExpired({ ...e, expires: undefined }, NOW)).toBe(false);
  });

  it('marks the findings an entry covers, by rule, endpoint and pointer prefix, and keeps them', () => {
    const file = parseIgnore(
      JSON.stringify({ ignore: [{ rule: 'response-property-added', endpoint: 'rev-users.create', path: '/rev_user', reason: 'DEV-1' }] }),
      'i.json',
    );
    const out = applyIgnore(
      [
        finding(),
        finding({ endpoint: 'dev-users.create' }),
        finding({ ruleId: 'response-required-property-missing', severity: 'error' }),
        finding({ pointer: '/rev_username' }),
      ],
      file,
      NOW,
    );
    expect(out).toHaveLength(4);
    expect(out.map((f) => Boolean(f.ignored))).toEqual([true, false, false, false]);
    expect(out[0]?.ignored).toEqual({ reason: 'DEV-1', expires: null });
  });

  it('lets an expired entry ignore nothing', () => {
    const file = parseIgnore(JSON.stringify([{ rule: 'response-property-added', reason: 'old', expires: '2026-01-01' }]), 'i.json');
    expect(applyIgnore([finding()], file, NOW)[0]?.ignored).toBeUndefined();
  });

  it('finds the default file in the folder, and refuses a folder with two of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-ignore-'));
    expect(loadIgnore(undefined, dir)).toBeNull();
    writeFileSync(join(dir, 'devrev-gate.ignore.yaml'), '[]\n');
    expect(loadIgnore(undefined, dir)?.entries).toEqual([]);
    writeFileSync(join(dir, 'devrev-gate.ignore.json'), '[]\n');
    expect(() => loadIgnore(undefined, dir)).toThrow(/both devrev-gate\.ignore\.json and devrev-gate\.ignore\.yaml exist/);
    expect(() => loadIgnore('missing.json', dir)).toThrow(/ignore file missing\.json does not exist/);
  });
});
