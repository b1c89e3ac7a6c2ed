import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedSlice, SLICE_FILE } from '../../api-model/openapi/slice.ts';
import { runCli, scratch } from '../errors/support.ts';
import { pactReadersOf } from '../support/committed-pact.ts';

// `devrev-gate spec` as a person meets it: a separate process, its exit code, one line on
// stderr when a document is broken, and the reports it leaves (or does not leave) behind.

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the document where they need
const pinnedCopy = (): any => structuredClone(pinnedSlice());

const file = (dir: string, name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** Nine levels of ten aliases each: a billion values once expanded, a few hundred bytes on disk. */
const bomb = () => {
  const lines = ['x-a0: &a0 ["lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`x-a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
};

describe('devrev-gate spec: broken documents are one line and exit 2, with nothing written', () => {
  const dir = scratch('spec-bad');
  const refNowhere = pinnedCopy();
  refNowhere.components.schemas['dev-user'].allOf[0].$ref = '#/components/schemas/no-such-schema';
  const cycle = pinnedCopy();
  cycle.components.schemas['atom-base'] = { $ref: '#/components/schemas/atom-base-alias' };
  cycle.components.schemas['atom-base-alias'] = { $ref: '#/components/schemas/atom-base' };
  const cases: Array<[string, string, RegExp]> = [
    ['not YAML', file(dir, 'broken.yaml', 'openapi: 3.0.3\npaths: {\n  - ]'), /broken\.yaml: not YAML or JSON \(.+ at line \d+, column \d+\)$/],
    ['not OpenAPI 3', file(dir, 'swagger.yaml', 'swagger: "2.0"\npaths: {}\n'), /swagger\.yaml: not OpenAPI 3 \(swagger 2\.0\)$/],
    ['no such path', join(dir, 'missing.yaml'), /missing\.yaml: no such file$/],
    ['a $ref that points nowhere', file(dir, 'ref.json', JSON.stringify(refNowhere)), /ref\.json: \$ref "#\/components\/schemas\/no-such-schema" at \/components\/schemas\/dev-user\/allOf\/0 points nowhere$/],
    ['an alias bomb', file(dir, 'bomb.yaml', `openapi: 3.0.3\npaths: {}\n${bomb()}`), /bomb\.yaml: YAML aliases expand to more than 5,000,000 values \(an alias bomb\?\)$/],
    ['a $ref cycle', file(dir, 'cycle.json', JSON.stringify(cycle)), /cycle\.json: \$ref cycle \/components\/schemas\/atom-base → \/components\/schemas\/atom-base-alias → \/components\/schemas\/atom-base$/],
  ];
  it.each(cases)('%s', async (_name, doc, line) => {
    const out = join(scratch('spec-out'), 'reports');
    const run = await runCli(['spec', 'check', '--openapi', doc, '--out', out]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^devrev-gate: /);
    expect(lines[0]).toMatch(line);
    expect(run.stdout).toBe('');
    // Not even an empty folder: the documents are opened before --out is made.
    expect(existsSync(out)).toBe(false);
  });

  it('spec diff with a broken older document leaves no --out folder either', async () => {
    const out = join(scratch('spec-out'), 'reports', 'nested');
    const run = await runCli(['spec', 'diff', '--from', cases[0]![1], '--to', 'pinned', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml: not YAML or JSON/);
    expect(existsSync(join(out, '..'))).toBe(false);
  });

  it('an --out that is a file is still refused, with exit 2 and nothing written', async () => {
    const dir = scratch('spec-out-file');
    const out = file(dir, 'taken', 'not a folder');
    const run = await runCli(['spec', 'diff', '--from', 'pinned', '--to', 'pinned', '--out', out, '--no-pact']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--out .*taken is a file, not a folder/);
    expect(readFileSync(out, 'utf8')).toBe('not a folder');
  });
});

describe('devrev-gate spec diff/check: verdict, exit code and reports', () => {
  it('the pin against itself: no change, the pact fits, exit 0', async () => {
    const out = scratch('spec-same');
    const run = await runCli(['spec', 'diff', '--from', 'pinned', '--to', 'pinned', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('no change');
    expect(run.stdout).toMatch(/the pact fits the OpenAPI document \(pinned\): fits/);
  });

  it('a document that drops a response property: exit 1, the finding in every report, and report --from redraws it', async () => {
    const dir = scratch('spec-drop');
    const doc = pinnedCopy();
    delete doc.components.schemas['user-base'].allOf[1].properties.full_name;
    const next = file(dir, 'next.json', JSON.stringify(doc));
    const out = join(dir, 'out');
    const run = await runCli(['spec', 'check', '--openapi', next, '--out', out]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('ERROR   response-property-removed  dev-users.create  response 201 /dev_user/full_name');
    expect(run.stdout).toContain('/components/schemas/user-base/allOf/1/properties/full_name → /components/schemas/dev-user');
    expect(run.stdout).toContain('dev-users.create 201 full request');

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.verdict).toBe('fail');
    expect(summary.target).toEqual({ url: `pinned → ${next}`, kind: 'none' });
    // user-base is in both users: one change on each side's schema that reaches it.
    const removed = summary.findings.find((f: { ruleId: string; endpoint: string }) => f.ruleId === 'response-property-removed' && f.endpoint === 'dev-users.create');
    expect(removed).toMatchObject({
      pillar: 'spec',
      endpoint: 'dev-users.create',
      status: 201,
      severity: 'error',
      pointer: '/components/schemas/dev-user',
      expected: 'full_name',
      specPointers: { from: '/components/schemas/user-base/allOf/1/properties/full_name', to: '/components/schemas/dev-user' },
      // Every interaction whose 201 reads full_name back.
      caseId: pactReadersOf('dev-users.create', 'dev_user', 'full_name').join('; '),
    });
    expect(summary.findings.some((f: { ruleId: string; caseId?: string }) => f.ruleId === 'pact-response-incompatible' && f.caseId === 'dev-users.create 201 full request')).toBe(true);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="spec"');
    expect(junit).toContain('response-property-removed');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| error \| spec \| [^|]+ \| dev-users\.create \| 201 \| response-property-removed \|/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('response-property-removed');

    const redrawn = join(dir, 'redrawn');
    const again = await runCli(['report', '--from', out, '--out', redrawn]);
    expect(again.code).toBe(1);
    expect(readFileSync(join(redrawn, 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(readFileSync(join(redrawn, 'summary.md'), 'utf8')).toContain('response-property-removed');
  });

  it('--fail-on warning fails on a new response enum value; the default passes it', async () => {
    const dir = scratch('spec-enum');
    const doc = pinnedCopy();
    doc.components.schemas['user-state'].enum.push('suspended');
    const next = file(dir, 'next.json', JSON.stringify(doc));
    const lenient = await runCli(['spec', 'check', '--openapi', next, '--out', join(dir, 'a'), '--no-pact']);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/WARNING response-enum-value-added .*"suspended" added/);
    const strict = await runCli(['spec', 'check', '--openapi', next, '--out', join(dir, 'b'), '--no-pact', '--fail-on', 'warning']);
    expect(strict.code).toBe(1);
  });
});

describe('devrev-gate spec pin: shows the classified diff, then writes', () => {
  it('prints the changes from the current pin before writing the new slice; --check writes nothing and exits 1', async () => {
    const dir = scratch('spec-pin');
    const slice = file(dir, 'slice.json', readFileSync(SLICE_FILE, 'utf8'));
    const doc = pinnedCopy();
    doc.paths['/rev-users.create'].post.requestBody.content['application/json'].schema = { $ref: '#/components/schemas/rev-users-create-request' };
    doc.components.schemas['rev-users-create-request'].required = [...(doc.components.schemas['rev-users-create-request'].required ?? []), 'display_name'];
    const next = file(dir, 'next.json', JSON.stringify(doc));
    const before = readFileSync(slice, 'utf8');

    const check = await runCli(['spec', 'pin', next, '--slice', slice, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/ERROR {3}request-property-became-required {2}rev-users\.create {2}request body \/display_name/);
    expect(readFileSync(slice, 'utf8')).toBe(before);

    const pin = await runCli(['spec', 'pin', next, '--slice', slice, '--commit', 'abc1234', '--date', '2026-01-02']);
    expect(pin.code, pin.stderr).toBe(0);
    const [diffAt, writtenAt] = [pin.stdout.indexOf('request-property-became-required'), pin.stdout.indexOf('written from')];
    expect(diffAt).toBeGreaterThan(-1);
    expect(writtenAt).toBeGreaterThan(diffAt);
    const written = JSON.parse(readFileSync(slice, 'utf8'));
    expect(written['x-devrev-gate-slice'].source).toMatchObject({ commit: 'abc1234', date: '2026-01-02', file: 'next.json' });
    expect(written.components.schemas['rev-users-create-request'].required).toContain('display_name');

    const unchanged = await runCli(['spec', 'pin', next, '--slice', slice, '--check']);
    expect(unchanged.code).toBe(0);
  });
});
