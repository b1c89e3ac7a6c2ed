import type { Log, ReportingDescriptor, Result } from 'sarif';
import { caseOf, FINGERPRINT_KEY, fingerprintOf } from '../core/finding-id.ts';
import { pointerLabel, segmentsOf } from '../core/pointer.ts';
import type { Finding, RunResults, SeverityName } from '../core/results.ts';
import { ruleMeta } from './rule-info.ts';
import { locateFinding, type SourceFile, sliceFile } from './source-location.ts';
import { valueText } from './text.ts';

/**
 * results.sarif (SARIF 2.1.0): what GitHub code scanning and other SARIF readers show. One
 * run; the tool's rules with the reason for their severity; one result per finding, placed
 * on the line of the committed OpenAPI slice (or pact file) that defines the shape the
 * provider broke, with the endpoint and JSON pointer as its logical location. Ignored
 * findings stay in, as suppressions carrying the ignore file's reason and expiry.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const BASE_ID = 'SRCROOT';

const LEVEL: Record<SeverityName, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

const words = (id: string) => id.replace(/[._-]+/g, ' ').trim();

const exitCodeOf = (r: RunResults): number => (r.interrupted ? 130 : r.error ? 2 : r.verdict === 'pass' ? 0 : 1);

const ruleOf = (id: string, first: Finding): ReportingDescriptor => {
  const meta = ruleMeta(id);
  const severity = meta?.severity ?? first.severity;
  const basis = meta?.basis ?? first.basis;
  const reason = meta?.reason ?? `a ${first.pillar} check found it; the rule book gives this id no reason yet`;
  return {
    id,
    name: words(id).replace(/ (\w)/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: words(id) },
    fullDescription: { text: `${words(id)}: ${reason}` },
    help: { text: `${reason}. Default severity ${severity}; basis ${basis} (spec: the OpenAPI document states it; prose: the docs' text does; assumed: the docs are silent).` },
    defaultConfiguration: { level: LEVEL[severity] },
    // A set: the spec pillar's rules have the basis spec too, and SARIF's tags are unique.
    properties: { tags: [...new Set([first.pillar, basis])], basis },
  };
};

const logicalKind = (pointer: string) => {
  const last = segmentsOf(pointer).at(-1);
  return last === undefined ? 'object' : /^\d+$/.test(last) ? 'value' : 'property';
};

const messageOf = (f: Finding): string => {
  const parts = [f.message];
  if (f.expected !== undefined || f.actual !== undefined) {
    parts.push(`expected: ${valueText(f.expected) || '(nothing stated)'}; actual: ${valueText(f.actual) || '(none)'}`);
  }
  parts.push(`${f.endpoint}${f.status === null ? ', no answer' : `, status ${f.status}`}, at ${pointerLabel(f.pointer)}`);
  return parts.join(' — ');
};

export const buildSarif = (results: RunResults): Log => {
  const findings = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push(ruleOf(f.ruleId, f));
  }
  const artifacts: SourceFile[] = [sliceFile()];
  const artifactIndex = (file: SourceFile) => {
    let i = artifacts.indexOf(file);
    if (i < 0) i = artifacts.push(file) - 1;
    return i;
  };

  const sarifResults: Result[] = findings.map((f) => {
    const where = locateFinding(f);
    const result: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: messageOf(f) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: where.file.uri, uriBaseId: BASE_ID, index: artifactIndex(where.file) },
            region: { startLine: where.line, startColumn: where.column },
          },
          logicalLocations: [
            { name: pointerLabel(f.pointer), fullyQualifiedName: `${f.endpoint}${f.status === null ? '' : ` ${f.status}`} ${pointerLabel(f.pointer)}`, kind: logicalKind(f.pointer) },
          ],
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprintOf(f) },
      properties: {
        pillar: f.pillar,
        checkId: f.checkId,
        case: caseOf(f),
        endpoint: f.endpoint,
        status: f.status,
        pointer: f.pointer,
        basis: f.basis,
        definedAt: `${where.file.uri}#${where.pointer}`,
        ...(f.expected !== undefined ? { expected: f.expected } : {}),
        ...(f.actual !== undefined ? { actual: f.actual } : {}),
        ...(f.reproduction ? { reproduction: f.reproduction } : {}),
      },
    };
    if (f.ignored) {
      result.suppressions = [
        {
          kind: 'external',
          status: 'accepted',
          justification: `${f.ignored.reason}${f.ignored.expires ? ` (until ${f.ignored.expires})` : ' (no expiry)'}`,
          properties: { reason: f.ignored.reason, expires: f.ignored.expires },
        },
      ];
    }
    return result;
  });

  const ended = new Date(Date.parse(results.startedAt) + results.durationMs).toISOString();
  const slice = sliceFile();
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: results.tool.name,
            version: results.tool.version,
            semanticVersion: results.tool.version,
            rules,
          },
        },
        automationDetails: { id: `devrev-gate/${results.runId}` },
        invocations: [
          {
            executionSuccessful: !results.error && !results.interrupted,
            exitCode: exitCodeOf(results),
            startTimeUtc: results.startedAt,
            endTimeUtc: ended,
            ...(results.error || results.interrupted
              ? {
                  toolExecutionNotifications: [
                    { level: 'error', message: { text: results.error ?? 'the run was interrupted (Ctrl-C or SIGTERM)' } },
                  ],
                }
              : {}),
            properties: {
              target: results.target,
              failOn: results.failOn,
              verdict: results.verdict,
              requests: results.requests,
              records: results.records,
            },
          },
        ],
        originalUriBaseIds: { [BASE_ID]: { description: { text: 'the root of the devrev-gate repository' } } },
        artifacts: artifacts.map((a) => ({
          location: { uri: a.uri, uriBaseId: BASE_ID },
          mimeType: 'application/json',
          length: Buffer.byteLength(a.text),
          hashes: { 'sha-256': a.sha256 },
          description: {
            text:
              a === slice
                ? `DevRev's OpenAPI document, the slice the endpoints depend on, pinned at ${results.pinned.source} ${results.pinned.commit} (${results.pinned.date})`
                : 'the consumer pact (through the official SDK) the provider was verified against',
          },
          roles: ['analysisTarget'],
        })),
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
        properties: { runId: results.runId, pinned: results.pinned },
      },
    ],
  };
};

export const renderSarif = (results: RunResults): string => `${JSON.stringify(buildSarif(results), null, 2)}\n`;
