import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import { at, refTokens } from '../../api-model/openapi/pointer.ts';
import { SLICE_FILE } from '../../api-model/openapi/slice.ts';
import { segmentsOf } from '../../core/pointer.ts';
import { RULES as DRIFT_RULES } from '../../drift/rules.ts';
import { buildSarif, renderSarif } from '../../reports/sarif.ts';
import { sarifValidator as validator } from '../support/sarif-schema.ts';
import { everyPillarResults } from './fixture.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const log = (): Log => JSON.parse(renderSarif(everyPillarResults())) as Log;
const findings = () => everyPillarResults().pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
const lineOf = (uri: string, line: number) => readFileSync(join(ROOT, uri), 'utf8').split('\n')[line - 1] ?? '';
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

  it('names the pinned slice as an artifact, with the hash of the committed file', () => {
    const run = log().runs[0]!;
    const slice = run.artifacts!.find((a) => a.location!.uri === 'api-model/openapi/devrev-slice.json')!;
    expect(slice.hashes!['sha-256']).toBe(createHash('sha256').update(readFileSync(SLICE_FILE)).digest('hex'));
    expect(slice.description!.text).toContain('7da689d');
  });

  it('places each finding on the line of the slice or pact that defines the violated shape', () => {
    const run = log().runs[0]!;
    const slice = JSON.parse(readFileSync(SLICE_FILE, 'utf8')) as unknown;
    for (const r of run.results!) {
      const phys = r.locations![0]!.physicalLocation!;
      const [uri, definedAt] = String(props(r)['definedAt']).split('#') as [string, string];
      expect(phys.artifactLocation!.uri).toBe(uri);
      expect(run.artifacts![phys.artifactLocation!.index!]!.location!.uri).toBe(uri);
      // Read the line back: it opens the member the definition pointer names.
      const key = segmentsOf(definedAt).at(-1)!;
      const line = lineOf(uri, phys.region!.startLine!);
      expect(line.slice(phys.region!.startColumn! - 1), `${r.ruleId} ${definedAt}`).toMatch(new RegExp(`^${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
    const byRule = (id: string) => run.results!.find((r) => r.ruleId === id)!;
    // rev_user.id is defined in atom-base, which rev-user reaches through $ref and allOf.
    const id = byRule('response.required-missing');
    expect(props(id)['definedAt']).toBe('api-model/openapi/devrev-slice.json#/components/schemas/atom-base/properties/id');
    expect(at(slice, refTokens(`#${String(props(id)['definedAt']).split('#')[1]}`)!)).toMatchObject({ type: 'string' });
    expect(props(byRule('rate-limit-retry-after-invalid'))['definedAt']).toMatch(/#\/components\/responses\/too-many-requests\/headers\/Retry-After$/);
    // The Pact mismatch lands in the committed pact, on its interaction's recorded answer.
    const pact = byRule('pact-body');
    expect(pact.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('pacts/devrev-sdk-integrator-devrev-api.json');
    const pactDoc = JSON.parse(readFileSync(join(ROOT, 'pacts/devrev-sdk-integrator-devrev-api.json'), 'utf8')) as { interactions: Array<{ description: string }> };
    const index = pactDoc.interactions.findIndex((i) => i.description === 'rev-users.create 201 full request');
    expect(props(pact)['definedAt']).toBe(`pacts/devrev-sdk-integrator-devrev-api.json#/interactions/${index}/response/body/content/rev_user/display_name`);
  });

  it('gives every result a stable fingerprint and writes the same document for the same results', () => {
    const a = buildSarif(everyPillarResults());
    const b = buildSarif(everyPillarResults());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const prints = a.runs[0]!.results!.map((r) => r.partialFingerprints!['devrevGateFinding/v1']);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
