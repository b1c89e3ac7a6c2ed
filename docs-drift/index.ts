import { existsSync, realpathSync } from 'node:fs';
import { gatePillar } from '../api-model/gate.ts';
import type { IgnoreFile } from '../api-model/ignore.ts';
import { SLICE_PATHS } from '../api-model/openapi/slice-paths.ts';
import { SPEC_DIFF_RULES } from '../api-model/rulebook/spec-diff.ts';
import { type CheckResult, type FailOnName, type Finding, type Impact, outcomeOf, type PillarName, type PillarResult, pillarResult, type SeverityName } from '../core/results.ts';
import { shownPath } from '../core/shown-path.ts';
import { findUserRepo } from '../core/user-repo.ts';
import { casesFor } from './cases.ts';
import { diffSpecs, type SpecChange } from './diff.ts';
import { groupOf, impactOf } from './impact.ts';
import { checkPactAgainst, COMMITTED_PACT } from './pact-check.ts';
import { type PactView, readPactView } from './pact-view.ts';
import { openSide, PINNED, type SpecSide } from './resolve.ts';

/**
 * The docs-drift pillar: what changed between two DevRev OpenAPI documents in what the
 * suite's endpoints depend on, classified by what it does to a client written from the
 * older one, and whether the committed pact still fits the newer one.
 */
export { type SpecChange, diffSpecs } from './diff.ts';
export { checkPactAgainst, COMMITTED_PACT, comparatorView } from './pact-check.ts';
export { openSide, PINNED, type SpecSide, sideOf } from './resolve.ts';
export { impactOf, touchesOf } from './impact.ts';
export { readPactView } from './pact-view.ts';

const statusOf = (c: SpecChange): number | null => {
  const statuses = new Set(c.places.map((p) => /^response (\d{3})\b/.exec(p)?.[1] ?? null));
  const [only] = [...statuses];
  return statuses.size === 1 && only ? Number(only) : null;
};

// "" is the whole document (where a document without any security list says so).
const shown = (p: string | null) => (p === null ? '—' : p === '' ? '(the document)' : p);

export const findingOf = (c: SpecChange, checkId: string, pillar: PillarName, from: SpecSide, to: SpecSide, impact?: Impact): Finding => {
  const rule = SPEC_DIFF_RULES[c.ruleId];
  const cases = casesFor(c);
  const more = c.places.length > 1 ? ` and ${c.places.length - 1} more place(s)` : '';
  return {
    checkId,
    pillar,
    endpoint: c.endpoints.join(', '),
    status: statusOf(c),
    ruleId: c.ruleId,
    severity: rule.severity,
    basis: rule.basis,
    pointer: c.to ?? c.from ?? '',
    ...(c.before !== undefined ? { expected: c.before } : {}),
    ...(c.after !== undefined ? { actual: c.after } : {}),
    message: `${c.summary} (${c.places[0]}${more}); ${shown(c.from)} → ${shown(c.to)}`,
    reproduction: `devrev-gate spec diff --from ${from.label} --to ${to.label}`,
    ...(cases.length ? { caseId: cases.join('; ') } : {}),
    specPointers: { from: c.from, to: c.to },
    ...(impact ? { impact } : {}),
  };
};

/** One check per endpoint, and one per set of endpoints sharing a changed component. */
export const diffChecks = (
  changes: SpecChange[],
  from: SpecSide,
  to: SpecSide,
  pillar: PillarName,
  failOn: FailOnName,
  durationMs: number,
  impacts: ReadonlyMap<SpecChange, Impact> = new Map(),
): CheckResult[] => {
  const groups = new Map<string, SpecChange[]>(SLICE_PATHS.map((p) => [p.slice(1), []]));
  for (const c of changes) {
    const key = c.endpoints.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups].map(([endpoints, list]) => {
    const id = `${pillar}.docs.${endpoints.replace(/, /g, '+')}`;
    const findings = list.map((c) => findingOf(c, id, pillar, from, to, impacts.get(c)));
    const shared = endpoints.includes(',');
    return {
      id,
      pillar,
      name: shared ? `documents agree on what ${endpoints} share` : `documents agree on ${endpoints}`,
      endpoint: endpoints,
      outcome: outcomeOf(findings, failOn),
      durationMs,
      findings,
    };
  });
};

export interface SpecRunOptions {
  failOn?: FailOnName;
  /** The ignore file, applied by the one gate step as in every pillar. */
  ignore?: IgnoreFile | null;
  /** Check the pact against the newer document too (default true). */
  pact?: boolean;
  pactFile?: string;
  /**
   * The pacts whose interactions each change is judged against (its impact), read. Default:
   * the committed pact (or `pactFile`) and, in a repository set up by `init`, the user's own
   * `pacts/*.json`.
   */
  impactPacts?: readonly PactView[];
}

/** The committed pact, then the user's own, each file once. */
export const impactPactFiles = (pactFile: string = COMMITTED_PACT, root: string = process.cwd()): string[] => {
  const seen = new Set<string>();
  const real = (f: string) => (existsSync(f) ? realpathSync(f) : f);
  return [pactFile, ...(findUserRepo(root)?.pactFiles ?? [])].filter((f) => !seen.has(real(f)) && seen.add(real(f)));
};

const pactMismatchHow = (f: Finding): string => {
  const at = f.pointer || '(the body)';
  if (f.ruleId === 'pact-operation-undocumented') return 'calls an operation the document does not have';
  if (f.ruleId === 'pact-status-undocumented') return `expects status ${f.status ?? 'a status'} the document does not list`;
  if (f.ruleId === 'pact-request-incompatible') return `sends request ${at}, which the document does not accept`;
  if (f.ruleId === 'pact-response-incompatible') return `expects response ${at}, which the document does not promise`;
  return 'cannot be verified against the document';
};

/** A pact-check mismatch is about one of our interactions by construction: its impact says which. */
const withPactImpact = (check: CheckResult, pactFile: string): CheckResult => ({
  ...check,
  findings: check.findings.map((f) => ({
    ...f,
    impact: {
      group: groupOf(f.severity, f.caseId !== undefined),
      pacts: [{ file: shownPath(pactFile), touches: f.caseId ? [{ interaction: f.caseId, how: pactMismatchHow(f) }] : [] }],
    },
  })),
});

export interface SpecRun {
  from: SpecSide;
  to: SpecSide;
  changes: SpecChange[];
  /** The changes an ignore entry covers (their findings are marked `ignored`). */
  ignored: ReadonlySet<SpecChange>;
  /** What each change does to our pact(s): the interactions it touches, and its group. */
  impacts: ReadonlyMap<SpecChange, Impact>;
  result: PillarResult;
}

const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));
/** The finding `findingOf` made of a change: the same rule, pointers and values. */
const isFindingOf = (f: Finding, c: SpecChange) =>
  f.ruleId === c.ruleId &&
  f.specPointers?.from === c.from &&
  f.specPointers?.to === c.to &&
  json(f.expected) === json(c.before) &&
  json(f.actual) === json(c.after);

/**
 * `spec diff`: both documents opened (and proven whole) before anything is compared; a
 * caller that must know they open before it does anything else passes them opened. The
 * pact is judged against the newer document relative to the older one, and the result
 * goes through the one gate step (`--fail-on`, the ignore file) like every pillar's.
 */
export const runSpecDiff = async (fromArg: string | SpecSide, toArg: string | SpecSide, options: SpecRunOptions = {}): Promise<SpecRun> => {
  const startedAt = new Date();
  const failOn = options.failOn ?? 'error';
  const from = typeof fromArg === 'string' ? openSide(fromArg) : fromArg;
  const to = typeof toArg === 'string' ? openSide(toArg) : toArg;
  const t0 = Date.now();
  const changes = diffSpecs(from, to);
  const pactFile = options.pactFile ?? COMMITTED_PACT;
  const pacts = options.impactPacts ?? impactPactFiles(pactFile).map(readPactView);
  const impacts = new Map(changes.map((c) => [c, impactOf(c, pacts, shownPath)]));
  const checks = diffChecks(changes, from, to, 'spec', failOn, Date.now() - t0, impacts);
  if (options.pact !== false) checks.push(withPactImpact(await checkPactAgainst(to, { pillar: 'spec', failOn, pactFile, relativeTo: from }), pactFile));
  const raw = pillarResult('spec', startedAt, 0, checks, { from: from.source, to: to.source } as PillarResult['data']);
  // Two documents are no target: nothing here is capped as on a real one.
  const ignore = options.ignore ?? null;
  const result = gatePillar(raw, { failOn, ignore, realTarget: false, now: Date.now() }, ignore !== null);
  const silenced = result.checks.flatMap((c) => c.findings).filter((f) => f.ignored);
  const ignored = new Set(changes.filter((c) => silenced.some((f) => isFindingOf(f, c))));
  return { from, to, changes, ignored, impacts, result };
};

/**
 * For `devrev-gate run`: the pact the contracts pillar just wrote (or the committed one)
 * against the pinned document, added to that pillar as one more check. Sends nothing.
 */
export const withPactDocumentCheck = async (result: PillarResult, failOn: SeverityName = 'error'): Promise<PillarResult> => {
  const written = (result.data as { pactFile?: unknown } | undefined)?.pactFile;
  const pactFile = typeof written === 'string' && existsSync(written) ? written : COMMITTED_PACT;
  const check = await checkPactAgainst(openSide(PINNED), { pillar: result.pillar, failOn, pactFile, label: 'the pinned slice' });
  return { ...result, checks: [...result.checks, check] };
};
