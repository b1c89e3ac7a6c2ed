import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { at, refTokens } from '../../api-model/openapi/pointer.ts';
import { SLICE_FILE } from '../../api-model/openapi/slice.ts';
import { segmentsOf } from '../../core/pointer.ts';
import { findUserRepo, USER_SLICE_FILE } from '../../core/user-repo.ts';
import { RULES as DRIFT_RULES } from '../../drift/rules.ts';
import { buildSarif, renderSarif } from '../../reports/sarif.ts';
import { sarifValidator as validator } from '../support/sarif-schema.ts';
import { everyPillarResults } from './fixture.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const log = (): Log => JSON.parse(renderSarif(everyPillarResults())) as Log;
const findings = () => everyPillarResults().pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));

/** A user's repository as init leaves it: a config file with a target line, the pinned slice, perhaps their pact. */
const userRepo = ({ pact }: { pact: boolean }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-user-repo-'));
  writeFileSync(join(dir, 'devrev-gate.config.yaml'), '# devrev-gate settings\n\ntarget: https://api.devrev.ai\npillars: [contracts, drift]\n');
  mkdirSync(join(dir, 'devrev-gate'));
  copyFileSync(SLICE_FILE, join(dir, USER_SLICE_FILE));
  if (pact) {
    mkdirSync(join(dir, 'pacts'));
    copyFileSync(join(ROOT, 'pacts/devrev-sdk-integrator-devrev-api.json'), join(dir, 'pacts/x.json'));
  }
  return dir;
};
const props = (r: Result) => r.properties as Record<string, unknown>;

describe('results.sarif', () => {
  it('validates against the official SARIF 2.1.0 schema for a run with findings of every pillar, ignored ones included', () => {
    const validate = validator();
    const doc = log();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // The schema is strict enough to catch a broken document: it must refuse one.
    expect(validate({ ...doc, version: '2.0.0' })).toBe(false);
    expect(validate({ ...doc, runs: [{ ...doc.runs[0]!, results: [{ message: {} }] }] })).toBe(false);
    expect(new Set(findings().map((f) => f.pillar))).toEqual(new Set(['contracts', 'drift', 'properties', 'load']));
  });

  it('holds one run with a rule per rule id, known or not, and one result per finding', () => {
    const doc = log();
    expect(doc.version).toBe('2.1.0');
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0]!;
    const all = findings();
    expect(run.results).toHaveLength(all.length);
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id).sort()).toEqual([...new Set(all.map((f) => f.ruleId))].sort());
    const known = rules.find((r) => r.id === 'rate-limit-retry-after-invalid')!;
    expect(known.defaultConfiguration?.level).toBe('error');
    const unknown = rules.find((r) => r.id === 'made-up-rule-no-table-knows')!;
    expect(unknown.defaultConfiguration?.level).toBe('warning');
    for (const r of rules) {
      expect(r.shortDescription?.text).toBeTruthy();
      expect(r.fullDescription?.text).toBeTruthy();
      expect(r.help?.text).toMatch(/\. Default severity (error|warning|info); basis (spec|prose|assumed) /);
    }
    for (const [i, res] of run.results!.entries()) {
      expect(rules[res.ruleIndex!]!.id).toBe(res.ruleId);
      expect(res.level).toBe({ error: 'error', warning: 'warning', info: 'note' }[all[i]!.severity]);
      expect(res.message.text).toContain(all[i]!.endpoint);
      expect(res.locations![0]!.logicalLocations![0]!.name).toBe(all[i]!.pointer === '' ? '(whole body)' : all[i]!.pointer);
    }
    // A rule the rule book knows carries its reason into the help text.
    const known2 = everyPillarResults();
    known2.pillars[1]!.checks[0]!.findings[0]!.ruleId = 'response-required-property-missing';
    const described = buildSarif(known2).runs[0]!.tool.driver.rules!.find((r) => r.id === 'response-required-property-missing')!;
    expect(described.help!.text).toContain(DRIFT_RULES['response-required-property-missing'].reason);
    expect(described.fullDescription!.text).toBe(`response required property missing: ${DRIFT_RULES['response-required-property-missing'].reason}`);
    const typeChanged = run.results!.find((r) => r.ruleId === 'response.type-changed')!;
    expect(typeChanged.message.text).toMatch(/expected: \{"type":"string"\}; actual: a \| b/);
  });

  it('carries ignored findings as suppressions with their reason and expiry, and the run as an invocation', () => {
    const run = log().runs[0]!;
    const suppressed = run.results!.filter((r) => r.suppressions);
    expect(suppressed.map((r) => r.ruleId).sort()).toEqual(['made-up-rule-no-table-knows', 'response.additional-property']);
    const legacy = suppressed.find((r) => r.ruleId === 'response.additional-property')!.suppressions![0]!;
    expect(legacy.kind).toBe('external');
    expect(legacy.justification).toContain('known legacy field');
    expect(legacy.justification).toContain('until 2027-01-31');
    expect(legacy.properties).toMatchObject({ expires: '2027-01-31' });
    expect(suppressed.find((r) => r.ruleId === 'made-up-rule-no-table-knows')!.suppressions![0]!.justification).toContain('no expiry');
    const inv = run.invocations![0]!;
    expect(inv.executionSuccessful).toBe(true);
    expect(inv.exitCode).toBe(1);
    expect(inv.startTimeUtc).toBe('2026-11-23T09:00:00.000Z');
    expect(Date.parse(inv.endTimeUtc!) - Date.parse(inv.startTimeUtc!)).toBe(18_400);
  });

  it('outside a repository set up by init, places no alert on a file: locations are logical, with the tool\'s own pointer', () => {
    // This repository is not a user's: its own slice and pacts are not files of theirs.
    const run = buildSarif(everyPillarResults(), null).runs[0]!;
    expect(run.artifacts).toBeUndefined();
    expect(run.originalUriBaseIds).toBeUndefined();
    for (const r of run.results!) {
      expect(r.locations!.every((l) => l.physicalLocation === undefined)).toBe(true);
      expect(r.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toContain(String(props(r)['endpoint']));
    }
    // The same rule inside this repository's own tests: the working folder holds no init files.
    expect(findUserRepo(ROOT)).toBeNull();
    expect(JSON.stringify(log())).not.toContain('physicalLocation');
    // The tool's own pointer names the definition in the pinned slice, logically.
    const slice = JSON.parse(readFileSync(SLICE_FILE, 'utf8')) as unknown;
    const id = run.results!.find((r) => r.ruleId === 'response.required-missing')!;
    expect(props(id)['pinnedDefinition']).toBe('devrev-gate:api-model/openapi/devrev-slice.json#/components/schemas/atom-base/properties/id');
    expect(id.relatedLocations![0]!.logicalLocations![0]!.fullyQualifiedName).toBe(props(id)['pinnedDefinition']);
    expect(at(slice, refTokens('#/components/schemas/atom-base/properties/id')!)).toMatchObject({ type: 'string' });
  });

  it("in a repository set up by init, places every alert on a line of the user's own files", () => {
    const repo = userRepo({ pact: true });
    const doc = buildSarif(everyPillarResults(), findUserRepo(repo));
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = doc.runs[0]!;
    expect(run.originalUriBaseIds).toEqual({ SRCROOT: { description: { text: 'the root of your repository' } } });
    const userSlice = readFileSync(join(repo, 'devrev-gate/openapi-slice.json'), 'utf8');
    for (const a of run.artifacts!) {
      expect(existsSync(join(repo, a.location!.uri!)), a.location!.uri).toBe(true);
      expect(a.hashes!['sha-256']).toBe(createHash('sha256').update(readFileSync(join(repo, a.location!.uri!))).digest('hex'));
    }
    const uriOf = (r: Result) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!;
    for (const r of run.results!) {
      const phys = r.locations![0]!.physicalLocation!;
      expect(existsSync(join(repo, uriOf(r))), uriOf(r)).toBe(true);
      expect(phys.artifactLocation!.uriBaseId).toBe('SRCROOT');
      expect(run.artifacts![phys.artifactLocation!.index!]!.location!.uri).toBe(uriOf(r));
      const line = readFileSync(join(repo, uriOf(r)), 'utf8').split('\n')[phys.region!.startLine! - 1] ?? '';
      const definedAt = String(props(r)['definedAt']);
      if (definedAt.includes('#')) {
        // Read the line back: it opens the member the definition pointer names.
        const key = segmentsOf(definedAt.split('#')[1]!).at(-1)!;
        expect(line.slice(phys.region!.startColumn! - 1), `${r.ruleId} ${definedAt}`).toMatch(new RegExp(`^${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      } else {
        expect(line.slice(phys.region!.startColumn! - 1)).toMatch(/^target: /);
      }
    }
    const byRule = (id: string) => run.results!.find((r) => r.ruleId === id)!;
    // Drift: the user's slice, at the definition of rev_user.id (atom-base, through $ref and allOf).
    expect(props(byRule('response.required-missing'))['definedAt']).toBe('devrev-gate/openapi-slice.json#/components/schemas/atom-base/properties/id');
    expect(userSlice.split('\n')[byRule('response.required-missing').locations![0]!.physicalLocation!.region!.startLine! - 1]).toMatch(/"id": \{/);
    // Contracts: the user's own pact, on the interaction's recorded answer.
    expect(props(byRule('pact-body'))['definedAt']).toMatch(/^pacts\/x\.json#\/interactions\/\d+\/response\/body\/content\/rev_user\/display_name$/);
    // Load and properties: the config file's target line.
    for (const id of ['rate-limit-retry-after-invalid', 'properties.never-5xx.status']) {
      expect(uriOf(byRule(id))).toBe('devrev-gate.config.yaml');
      expect(byRule(id).locations![0]!.physicalLocation!.region).toEqual({ startLine: 3, startColumn: 1 });
    }
    // Docs drift: the line of the user's slice at the pointer the change names.
    const withSpec = everyPillarResults();
    withSpec.pillars[1]!.checks[0]!.findings.push({
      ...withSpec.pillars[1]!.checks[0]!.findings[0]!,
      pillar: 'spec',
      ruleId: 'spec.response-property-removed',
      specPointers: { from: '/components/schemas/atom-base/properties/display_id', to: null },
    });
    const specResult = buildSarif(withSpec, findUserRepo(repo)).runs[0]!.results!.find((r) => r.ruleId === 'spec.response-property-removed')!;
    expect(props(specResult)['definedAt']).toBe('devrev-gate/openapi-slice.json#/components/schemas/atom-base/properties/display_id');
    expect(userSlice.split('\n')[specResult.locations![0]!.physicalLocation!.region!.startLine! - 1]).toMatch(/"display_id": \{/);

    // Without a pact of the user's, a contract finding lands in their slice instead.
    const noPact = buildSarif(everyPillarResults(), findUserRepo(userRepo({ pact: false }))).runs[0]!;
    expect(uriOf(noPact.results!.find((r) => r.ruleId === 'pact-body')!)).toBe('devrev-gate/openapi-slice.json');
  });

  it('gives every result a stable fingerprint and writes the same document for the same results', () => {
    const a = buildSarif(everyPillarResults());
    const b = buildSarif(everyPillarResults());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const prints = a.runs[0]!.results!.map((r) => r.partialFingerprints!['devrevGateFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
