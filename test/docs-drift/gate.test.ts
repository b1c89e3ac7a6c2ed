import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import type { Finding, RunResults } from '../../core/results.ts';
import { runCli, scratch } from '../errors/support.ts';
import { pactInteractionsOf, pactReadersOf } from '../support/committed-pact.ts';
import { sarifValidator } from '../support/sarif-schema.ts';

// The committed pact's dev-user interactions: each is undocumented in a document without that endpoint.
const DEV = pactInteractionsOf('dev-users.create').length;

// `spec diff` and `spec check` judged like every pillar, through the CLI as a user runs
// them: the SARIF they write passes the official schema, each finding has its own
// fingerprint, the ignore file and --fail-on apply, and the pact is judged against the
// newer document relative to the older one.

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the document where they need
const pinnedCopy = (): any => structuredClone(pinnedSlice());

const write = (dir: string, name: string, value: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};

const readOut = (out: string) => ({
  sarif: JSON.parse(readFileSync(join(out, 'results.sarif'), 'utf8')) as Log,
  results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults,
});
const findingsOf = (r: RunResults): Finding[] => r.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
const printOf = (r: Result) => r.partialFingerprints!['devrevGateFinding/v1']!;

/** The pin with two new values in one response enum: two warnings at one pointer. */
const twoEnumValues = () => {
  const doc = pinnedCopy();
  doc.components.schemas['user-state'].enum.push('suspended', 'archived');
  return doc;
};

/** The pin without dev-users.create: the pact's ten interactions on it fit neither side. */
const withoutDevUsers = () => {
  const doc = pinnedCopy();
  delete doc.paths['/dev-users.create'];
  return doc;
};

describe('spec diff output: valid SARIF, one fingerprint per finding', () => {
  it('two values added to one enum: the SARIF validates against SARIF 2.1.0, and each finding has its own fingerprint', async () => {
    const dir = scratch('spec-sarif');
    const next = write(dir, 'next.json', twoEnumValues());
    const out = join(dir, 'out');
    const run = await runCli(['spec', 'diff', '--from', 'pinned', '--to', next, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const { sarif } = readOut(out);
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The validator is strict about what the spec pillar once wrote: a tag twice.
    const rules = sarif.runs[0]!.tool.driver.rules!;
    const doubled = structuredClone(sarif);
    doubled.runs[0]!.tool.driver.rules![0]!.properties!.tags = ['spec', 'spec'];
    expect(validate(doubled)).toBe(false);
    expect(rules.every((r) => new Set(r.properties?.tags).size === r.properties?.tags?.length)).toBe(true);

    const results = sarif.runs[0]!.results!;
    const added = results.filter((r) => r.ruleId === 'response-enum-value-added' && (r.properties as { pointer: string }).pointer === '/components/schemas/user-state/enum');
    expect(added.map((r) => (r.properties as { actual: unknown }).actual).sort()).toEqual(['archived', 'suspended']);
    expect(printOf(added[0]!)).not.toBe(printOf(added[1]!));
    const prints = results.map(printOf);
    expect(new Set(prints).size).toBe(prints.length);
  });
});

describe('spec diff and spec check: --fail-on and the ignore file, as in every pillar', () => {
  it('--fail-on warning fails on a warning; a narrow entry silences exactly its value, a fingerprint entry the other', async () => {
    const dir = scratch('spec-ignore');
    const next = write(dir, 'next.json', twoEnumValues());
    const strict = await runCli(['spec', 'check', '--openapi', next, '--out', join(dir, 'a'), '--no-pact', '--fail-on', 'warning']);
    expect(strict.code, strict.stderr).toBe(1);
    const { sarif, results } = readOut(join(dir, 'a'));
    const archived = sarif.runs[0]!.results!.find((r) => (r.properties as { actual: unknown }).actual === 'archived')!;

    // One value accepted by rule, endpoint, pointer and actual value: the other still fails.
    // Both users reach user-state: the change is one finding, on both endpoints as reports name them.
    const narrow = [
      { rule: 'response-enum-value-added', endpoint: 'rev-users.create, dev-users.create', path: '/components/schemas/user-state/enum', actual: 'suspended', reason: 'DEV-21: suspended users are handled' },
    ];
    write(dir, 'devrev-gate.ignore.json', { ignore: narrow });
    const one = await runCli(['spec', 'check', '--openapi', next, '--out', join(dir, 'b'), '--no-pact', '--fail-on', 'warning'], { cwd: dir });
    expect(one.code, one.stdout).toBe(1);
    const gated = findingsOf(readOut(join(dir, 'b')).results).filter((f) => f.ruleId === 'response-enum-value-added' && f.pointer === '/components/schemas/user-state/enum');
    expect(gated.map((f) => [f.endpoint, f.actual, f.ignored?.reason ?? null])).toEqual(
      expect.arrayContaining([
        ['rev-users.create, dev-users.create', 'suspended', 'DEV-21: suspended users are handled'],
        ['rev-users.create, dev-users.create', 'archived', null],
      ]),
    );
    expect(one.stdout).toMatch(/warning \(ignored\) response-enum-value-added .*"suspended" added/);
    // Every other finding of the run is as without the file.
    expect(findingsOf(readOut(join(dir, 'b')).results).filter((f) => f.ignored)).toHaveLength(1);

    // The other by the fingerprint the SARIF of the first run carries, as a baseline would.
    const both = [...narrow, { fingerprint: printOf(archived), reason: 'DEV-22: archived too' }];
    const others = findingsOf(results).filter((f) => f.ruleId === 'response-enum-value-added' && !['suspended', 'archived'].includes(String(f.actual)));
    expect(others, 'no other enum value was added, so two entries cover every warning').toEqual([]);
    const ignoreFile = write(dir, 'accepted.yaml', `ignore:\n${both.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n`);
    const none = await runCli(['spec', 'diff', '--from', 'pinned', '--to', next, '--out', join(dir, 'c'), '--no-pact', '--fail-on', 'warning', '--ignore', ignoreFile]);
    expect(none.code, none.stdout).toBe(0);
    const c = readOut(join(dir, 'c'));
    expect(sarifValidator()(c.sarif), 'suppressed results validate too').toBe(true);
    const suppressed = c.sarif.runs[0]!.results!.filter((r) => r.suppressions?.length);
    expect(suppressed.map((r) => (r.properties as { actual: unknown }).actual).sort()).toEqual(['archived', 'suspended']);
    expect(suppressed.find((r) => printOf(r) === printOf(archived))?.suppressions?.[0]?.justification).toMatch(/^DEV-22: archived too/);
  });

  it('an entry past its expiry ignores nothing and fails the run; a malformed file is one line, exit 2, nothing written', async () => {
    const dir = scratch('spec-ignore-bad');
    const next = write(dir, 'next.json', twoEnumValues());
    write(dir, 'devrev-gate.ignore.yaml', '- rule: response-enum-value-added\n  actual: suspended\n  reason: DEV-20\n  expires: 2020-01-31\n');
    const expired = await runCli(['spec', 'check', '--openapi', next, '--out', join(dir, 'a'), '--no-pact'], { cwd: dir });
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/ERROR {3}ignore-entry-expired {2}ignore entry for response-enum-value-added expired on 2020-01-31 \(DEV-20\)/);
    expect(findingsOf(readOut(join(dir, 'a')).results).some((f) => f.ignored)).toBe(false);

    const bad = write(dir, 'bad.json', '[{"fingerprint": "not-hex", "reason": "x"}]');
    const out = join(dir, 'b');
    const refused = await runCli(['spec', 'diff', '--from', 'pinned', '--to', next, '--out', out, '--ignore', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^devrev-gate: ignore file bad\.json: entry 1: "fingerprint" must be the 32 hex digits/)]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('spec diff: the pact judged relative to the older document', () => {
  it('two identical documents without dev-users.create: exit 0, each pact mismatch pre-existing and info', async () => {
    const dir = scratch('spec-pact-same');
    const doc = write(dir, 'no-dev-users.json', withoutDevUsers());
    const out = join(dir, 'out');
    const run = await runCli(['spec', 'diff', '--from', doc, '--to', doc, '--out', out]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/: no change\n/);
    expect(run.stdout).toMatch(new RegExp(`the pact fits the OpenAPI document \\(.*no-dev-users\\.json\\): ${DEV} mismatch\\(es\\), 0 new, ${DEV} pre-existing \\(info\\)`));
    const { sarif, results } = readOut(out);
    const pact = results.pillars[0]!.checks.find((c) => c.id === 'spec.pact-vs-document')!;
    expect(pact.outcome).toBe('pass');
    expect(pact.findings).toHaveLength(DEV);
    for (const f of pact.findings) {
      expect(f).toMatchObject({ ruleId: 'pact-operation-undocumented', endpoint: 'dev-users.create', severity: 'info' });
      expect(f.message).toMatch(/^pre-existing \(already so against .*no-dev-users\.json\): dev-users\.create /);
    }
    expect(new Set(pact.findings.map((f) => f.caseId)).size).toBe(DEV);
    expect(sarif.runs[0]!.results!.filter((r) => r.ruleId === 'pact-operation-undocumented').map((r) => r.level)).toEqual(Array(DEV).fill('note'));
    expect(sarif.runs[0]!.invocations![0]!.exitCode).toBe(0);
    expect(sarifValidator()(sarif)).toBe(true);
  });

  it('a newer document that breaks an interaction: exit 1 on that new mismatch alone, the old ones still info', async () => {
    const dir = scratch('spec-pact-new');
    const older = withoutDevUsers();
    const newer = withoutDevUsers();
    delete newer.components.schemas['user-base'].allOf[1].properties.display_name;
    const from = write(dir, 'older.json', older);
    const to = write(dir, 'newer.json', newer);
    // The document change itself is accepted, so what fails is the pact's new mismatch.
    write(dir, 'devrev-gate.ignore.json', [{ rule: 'response-property-removed', endpoint: 'rev-users.create', reason: 'DEV-23: display_name is gone on purpose' }]);
    const out = join(dir, 'out');
    const run = await runCli(['spec', 'diff', '--from', from, '--to', to, '--out', out], { cwd: dir });
    expect(run.code, run.stdout).toBe(1);
    // New: every rev-user interaction whose 201 reads display_name back.
    const readers = pactReadersOf('rev-users.create', 'rev_user', 'display_name');
    expect(readers.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`${DEV + readers.length} mismatch\\(es\\), ${readers.length} new, ${DEV} pre-existing \\(info\\)`));
    const { results } = readOut(out);
    const checks = results.pillars[0]!.checks;
    expect(checks.filter((c) => c.outcome === 'fail').map((c) => c.id)).toEqual(['spec.pact-vs-document']);
    const pact = checks.find((c) => c.id === 'spec.pact-vs-document')!;
    const fresh = pact.findings.filter((f) => f.severity !== 'info');
    expect(fresh.map((f) => f.caseId).sort()).toEqual(readers);
    for (const f of fresh) {
      expect(f).toMatchObject({ ruleId: 'pact-response-incompatible', severity: 'error', pointer: '/rev_user/display_name' });
      expect(f.message).not.toMatch(/pre-existing/);
    }
    expect(pact.findings.filter((f) => f.severity === 'info').every((f) => f.endpoint === 'dev-users.create')).toBe(true);
  });
});

// DevRev's published 2025-01-28 beta document, kept beside the project (not in it), as
// test/docs-drift/history.test.ts reaches it. Where it is absent this test is reported as skipped.
const JAN_2025 = resolve(import.meta.dirname, '../../../shared/reference/openapi-history/openapi-beta-2025-01-28-5f08057.yaml');

describe.runIf(existsSync(JAN_2025))('a published document against itself (runs only where ../shared/reference/openapi-history exists)', () => {
  it('2025-01-28 → 2025-01-28: no change, dev-users.create absent from both, exit 0', async () => {
    const out = scratch('spec-jan');
    const run = await runCli(['spec', 'diff', '--from', JAN_2025, '--to', JAN_2025, '--out', out]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${DEV} mismatch\\(es\\), 0 new, ${DEV} pre-existing \\(info\\)`));
    const { results } = readOut(out);
    expect(results.verdict).toBe('pass');
    expect(findingsOf(results).every((f) => f.severity === 'info')).toBe(true);
  });
});
