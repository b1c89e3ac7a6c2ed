import type { Log, Notification, ReportingDescriptor, Result } from 'sarif';
import { isSuiteRule } from '../api-model/rulebook/index.ts';
import { PACT_FILE } from '../core/pact-names.ts';
import { caseOf, FINGERPRINT_KEY, fingerprintOf } from '../core/finding-id.ts';
import { pointerLabel, segmentsOf } from '../core/pointer.ts';
import { type Finding, hasGaps, IMPACT_GROUP_TITLES, type RunResults, type SeverityName } from '../core/results.ts';
import { findUserRepo, type UserRepo } from '../core/user-repo.ts';
import { alertFiles, impactPlaces, placeAlert, type RepoFile, toolPointer } from './alert-locations.ts';
import { touchesText } from './impact.ts';
import { type OutcomeView, outcomeView } from './outcome.ts';
import { ruleMeta } from './rule-info.ts';
import { valueText } from './text.ts';

/**
 * results.sarif (SARIF 2.1.0): what GitHub code scanning and other SARIF readers show. One
 * run; the tool's rules with the reason for their severity; one result per provider
 * finding, placed on a line of a file of the user's repository (alert-locations.ts), with
 * the endpoint and JSON pointer, and the tool's own definition, as logical locations.
 * Ignored findings stay in, as suppressions carrying the ignore file's reason and expiry.
 * The run's outcome is the invocation's; a finding of a suite rule (devrev-gate's own
 * bug) and the completeness policy are notifications, never results blaming the provider.
 */

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const BASE_ID = 'SRCROOT';

const ARTIFACT_ROLE: Record<RepoFile['role'], string> = {
  slice: 'your pinned slice of DevRev\'s OpenAPI document (devrev-gate init): where the shape the provider broke is defined',
  pact: 'your pact with DevRev: the interaction the provider broke',
  config: 'your devrev-gate config: the target the run checked',
};

const LEVEL: Record<SeverityName, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

const words = (id: string) => id.replace(/[._-]+/g, ' ').trim();


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
  // Docs drift: the group first, as code scanning shows a message's first words.
  const parts = [f.impact ? `${IMPACT_GROUP_TITLES[f.impact.group]}: ${f.message}` : f.message];
  if (f.expected !== undefined || f.actual !== undefined) {
    parts.push(`expected: ${valueText(f.expected) || '(nothing stated)'}; actual: ${valueText(f.actual) || '(none)'}`);
  }
  parts.push(`${f.endpoint}${f.status === null ? ', no answer' : `, status ${f.status}`}, at ${pointerLabel(f.pointer)}`);
  if (f.impact) parts.push(`touches ${touchesText(f)}`);
  return parts.join(' — ');
};

const notificationsOf = (results: RunResults, view: OutcomeView, suite: Finding[]): Notification[] => {
  const out: Notification[] = suite.map((f) => ({
    level: 'error',
    message: { text: `devrev-gate itself failed (${f.ruleId}, a bug to report, not the provider's fault): ${f.message}` },
    descriptor: { id: f.ruleId },
  }));
  if (view.outcome === 'passed' && hasGaps(view.gaps)) {
    out.push({ level: 'warning', message: { text: `PASS with gaps: ${view.why}` } });
  } else if (view.outcome !== 'passed' && !(view.outcome === 'tool-fault' && suite.length > 0 && !results.error)) {
    out.push({ level: view.outcome === 'failed' && !view.incomplete ? 'note' : 'error', message: { text: view.why } });
  }
  return out;
};

export const buildSarif = (results: RunResults, repo: UserRepo | null = findUserRepo()): Log => {
  const all = results.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
  const findings = all.filter((f) => !isSuiteRule(f.ruleId));
  const view = outcomeView(results);
  const files = alertFiles(repo);
  const rules: ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of findings) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push(ruleOf(f.ruleId, f));
  }
  const artifacts: RepoFile[] = [];
  const artifactIndex = (file: RepoFile) => {
    let i = artifacts.findIndex((a) => a.uri === file.uri);
    if (i < 0) i = artifacts.push(file) - 1;
    return i;
  };

  const sarifResults: Result[] = findings.map((f) => {
    const place = placeAlert(files, f);
    const tool = toolPointer(f);
    const result: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: { text: messageOf(f) },
      locations: [
        {
          // Only a file that exists in the user's repository; else the location is logical.
          ...(place
            ? {
                physicalLocation: {
                  artifactLocation: { uri: place.file.uri, uriBaseId: BASE_ID, index: artifactIndex(place.file) },
                  region: { startLine: place.line, startColumn: place.column },
                },
              }
            : {}),
          logicalLocations: [
            { name: pointerLabel(f.pointer), fullyQualifiedName: `${f.endpoint}${f.status === null ? '' : ` ${f.status}`} ${pointerLabel(f.pointer)}`, kind: logicalKind(f.pointer) },
          ],
        },
      ],
      // The tool's own pointer: where devrev-gate's pinned documents define the shape.
      relatedLocations: [
        {
          id: 1,
          message: { text: `defined at ${tool.pointer || '/'} in devrev-gate's pinned ${tool.uri.endsWith(PACT_FILE) ? 'pact' : 'OpenAPI slice'} (${results.pinned.commit})` },
          logicalLocations: [{ name: tool.pointer || '/', fullyQualifiedName: `devrev-gate:${tool.uri}#${tool.pointer}`, kind: 'element' }],
        },
        // Docs drift: each interaction of the user's own pact the change touches, at its line.
        ...impactPlaces(files, f).map((t, i) => ({
          id: i + 2,
          message: { text: `${t.interaction}: ${t.how}` },
          physicalLocation: { artifactLocation: { uri: t.file.uri, uriBaseId: BASE_ID, index: artifactIndex(t.file) }, region: { startLine: t.line, startColumn: t.column } },
        })),
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
        ...(place?.pointer != null ? { definedAt: `${place.file.uri}#${place.pointer}` } : place ? { definedAt: `${place.file.uri}:${place.line}` } : {}),
        pinnedDefinition: `devrev-gate:${tool.uri}#${tool.pointer}`,
        ...(f.expected !== undefined ? { expected: f.expected } : {}),
        ...(f.actual !== undefined ? { actual: f.actual } : {}),
        ...(f.reproduction ? { reproduction: f.reproduction } : {}),
        ...(f.impact ? { impact: f.impact.group, touches: f.impact.pacts, tags: [f.impact.group] } : {}),
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
  const notifications = notificationsOf(results, view, all.filter((f) => isSuiteRule(f.ruleId)));
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
            executionSuccessful: view.executionSuccessful,
            exitCode: view.exitCode,
            ...(view.executionSuccessful ? {} : { exitCodeDescription: view.why }),
            startTimeUtc: results.startedAt,
            endTimeUtc: ended,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
            properties: {
              outcome: view.outcome,
              target: results.target,
              failOn: results.failOn,
              require: results.require,
              gaps: view.gaps,
              ...(view.incomplete ? { incomplete: view.incomplete } : {}),
              verdict: results.verdict,
              requests: results.requests,
              records: results.records,
            },
          },
        ],
        ...(files
          ? {
              originalUriBaseIds: { [BASE_ID]: { description: { text: 'the root of your repository' } } },
              artifacts: artifacts.map((a) => ({
                location: { uri: a.uri, uriBaseId: BASE_ID },
                mimeType: a.role === 'config' && !a.uri.endsWith('.json') ? 'application/yaml' : 'application/json',
                length: Buffer.byteLength(a.text),
                hashes: { 'sha-256': a.sha256 },
                description: { text: ARTIFACT_ROLE[a.role] },
                roles: ['analysisTarget'],
              })),
            }
          : {}),
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
        properties: { runId: results.runId, pinned: results.pinned },
      },
    ],
  };
};

export const renderSarif = (results: RunResults, repo: UserRepo | null = findUserRepo()): string => `${JSON.stringify(buildSarif(results, repo), null, 2)}\n`;
