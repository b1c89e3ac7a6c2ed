import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import type { Finding } from '../../core/results.ts';
import { applyIgnore, isExpired, loadIgnore, matches, parseIgnore } from '../../api-model/ignore.ts';
import { fingerprintOf } from '../../core/finding-id.ts';
import { buildSarif } from '../../reports/sarif.ts';
import { everyPillarResults } from '../reports/fixture.ts';

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

// What the contracts pillar reports against a provider without dev-users.create: every
// interaction on it answered 404, beside the one known mismatch a team had accepted.
const statusFinding = (caseId: string, actual: number, expected = 201): Finding =>
  finding({
    checkId: `contracts.${caseId.replace(/ /g, '-')}`,
    caseId,
    pillar: 'contracts',
    endpoint: 'dev-users.create',
    status: actual,
    ruleId: 'pact-status',
    severity: 'error',
    pointer: '/status',
    expected,
    actual,
  });

describe('precise ignore entries', () => {
  const KNOWN = 'dev-users.create 400 for a state other than shadow';
  const answered404 = [
    'dev-users.create 201 full request',
    'dev-users.create 201 minimal request',
    'dev-users.create 400 for a missing email',
    KNOWN,
  ].map((c) => statusFinding(c, 404, c.includes(' 400 ') ? 400 : 201));

  it('a narrow entry (case and actual status) silences exactly its finding, and the same rule and pointer with another status is not silenced', () => {
    const narrow = parseIgnore(
      '- rule: pact-status\n  endpoint: dev-users.create\n  path: /status\n  case: dev-users.create 400 for a state other than shadow\n  actual: 422\n  reason: DEV-30 answers 422\n',
      'i.yaml',
    );
    expect(narrow.entries[0]).toMatchObject({ case: KNOWN, actual: 422 });
    const known = statusFinding(KNOWN, 422, 400);
    expect(applyIgnore([known], narrow, NOW)[0]?.ignored?.reason).toBe('DEV-30 answers 422');
    // The provider lost the endpoint: the same case now answers 404, and nothing is silenced.
    expect(applyIgnore(answered404, narrow, NOW).filter((f) => f.ignored)).toEqual([]);
    // A 422 on another case is another finding too.
    expect(applyIgnore([statusFinding('dev-users.create 400 for a missing email', 422, 400)], narrow, NOW)[0]?.ignored).toBeUndefined();
    // Without case and actual the entry is as coarse as before: every status at /status.
    const coarse = parseIgnore('[{"rule": "pact-status", "endpoint": "dev-users.create", "path": "/status", "reason": "r"}]', 'i.json');
    expect(applyIgnore(answered404, coarse, NOW).every((f) => f.ignored)).toBe(true);
  });

  it('matches the actual value as the reports show it: a number, the same number in a string, a JSON value', () => {
    const e = (actual: unknown) => parseIgnore(JSON.stringify([{ rule: 'pact-body', actual, reason: 'r' }]), 'i.json');
    const body = (actual: unknown) => finding({ ruleId: 'pact-body', actual });
    expect(matches(e(404).entries[0]!, body(404))).toBe(true);
    expect(matches(e('404').entries[0]!, body(404))).toBe(true);
    expect(matches(e(404).entries[0]!, body(4040))).toBe(false);
    expect(matches(e(null).entries[0]!, body(null))).toBe(true);
    expect(matches(e(null).entries[0]!, body(undefined))).toBe(false);
    expect(matches(e({ a: [1] }).entries[0]!, body({ a: [1] }))).toBe(true);
    expect(matches(e({ a: [1] }).entries[0]!, body({ a: [2] }))).toBe(false);
  });

  it('a fingerprint entry silences the finding SARIF gives that fingerprint, and no other', () => {
    const results = everyPillarResults();
    const all = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
    const sarif = buildSarif(results).runs[0]!.results!;
    const i = all.findIndex((f) => f.ruleId === 'pact-body');
    const print = sarif[i]!.partialFingerprints!['devrevGateFinding/v1']!;
    expect(print).toBe(fingerprintOf(all[i]!));
    const file = parseIgnore(JSON.stringify({ ignore: [{ fingerprint: print, reason: 'DEV-31', expires: '2026-06-30' }] }), 'i.json');
    expect(file.entries[0]).toEqual({ fingerprint: print, reason: 'DEV-31', expires: '2026-06-30' });
    const out = applyIgnore(all, file, NOW);
    // The fixture holds findings ignored already; the entry adds exactly one.
    const by = (list: Finding[], reason: string) => list.flatMap((f, j) => (f.ignored?.reason === reason ? [j] : []));
    expect(by(out, 'DEV-31')).toEqual([i]);
    // With a rule too, both must hold; past its expiry it ignores nothing, as any entry.
    const wrongRule = parseIgnore(JSON.stringify([{ fingerprint: print, rule: 'pact-status', reason: 'r' }]), 'i.json');
    expect(by(applyIgnore(all, wrongRule, NOW), 'r')).toEqual([]);
    expect(by(applyIgnore(all, file, Date.parse('2026-07-01T00:00:00Z')), 'DEV-31')).toEqual([]);
    // A failure of the suite itself is never silenced, not even by its own fingerprint.
    const bug = finding({ ruleId: 'suite-case-mislabelled', severity: 'error' });
    const bugFile = parseIgnore(JSON.stringify([{ fingerprint: fingerprintOf(bug), reason: 'r' }]), 'i.json');
    expect(applyIgnore([bug], bugFile, NOW)[0]?.ignored).toBeUndefined();
  });

  it('refuses a malformed precise entry in one line', () => {
    expect(problem('[{"reason": "x"}]')).toContain('entry 1 names no known rule (null) and no fingerprint');
    expect(problem('[{"fingerprint": "ABC", "reason": "x"}]')).toContain('entry 1: "fingerprint" must be the 32 hex digits SARIF gives a result');
    expect(problem(`[{"fingerprint": "${'0'.repeat(32)}", "rule": "nope", "reason": "x"}]`)).toContain('entry 1 names no known rule ("nope")');
    expect(problem('[{"rule": "pact-status", "case": "", "reason": "x"}]')).toContain('entry 1: "case" must be a case as the reports name it');
    expect(problem('[{"rule": "pact-status", "case": 3, "reason": "x"}]')).toContain('"case" must be');
    expect(problem(`[{"fingerprint": "${'0'.repeat(32)}"}]`)).toContain('entry 1 needs a "reason"');
    for (const p of [problem('[{"reason": "x"}]'), problem('[{"fingerprint": 1, "reason": "x"}]')]) expect(p).not.toContain('\n');
  });
});
