import { pointerLabel } from '../core/pointer.ts';
import { anyCheckFailed, type CheckResult, type FailOnName, type Finding, gapsText, gates, hasGaps, IMPACT_GROUP_TITLES, type PillarResult, type RunResults } from '../core/results.ts';
import { touchesText } from './impact.ts';
import { outcomeView } from './outcome.ts';
import { valueText, xmlAttr, xmlText } from './text.ts';

/**
 * junit.xml in the shape the common consumers (GitHub test reporters, GitLab, Jenkins,
 * Azure) agree on: <testsuites> holding one <testsuite> per pillar, one <testcase> per
 * check per endpoint. A failed check carries its findings in <failure>; skipped and
 * inconclusive checks are <skipped> with their reason. Counts on every suite add up.
 */

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

const findingText = (f: Finding): string => {
  const lines = [
    `${f.severity.toUpperCase()} ${f.ruleId}${f.ignored ? ` (ignored: ${f.ignored.reason}${f.ignored.expires ? `, until ${f.ignored.expires}` : ''})` : ''}`,
    `  endpoint: ${f.endpoint}   status: ${f.status ?? 'no answer'}   pointer: ${pointerLabel(f.pointer)}   basis: ${f.basis}`,
    `  ${f.message}`,
  ];
  if (f.impact) lines.push(`  impact: ${IMPACT_GROUP_TITLES[f.impact.group]} (${touchesText(f)})`);
  if (f.expected !== undefined) lines.push(`  expected: ${valueText(f.expected)}`);
  if (f.actual !== undefined) lines.push(`  actual:   ${valueText(f.actual)}`);
  if (f.reproduction) lines.push(`  reproduce: ${f.reproduction}`);
  return lines.join('\n');
};

const testcase = (p: PillarResult, c: CheckResult, failOn: FailOnName): string => {
  // One case per check per endpoint: the endpoint is the class, so consumers group by it.
  const name = c.name.includes(c.endpoint) ? c.name : `${c.name} [${c.endpoint}]`;
  const attrs = `name="${xmlAttr(name)}" classname="${xmlAttr(`devrev-gate.${p.pillar}.${c.endpoint}`)}" time="${seconds(c.durationMs)}"`;
  const body: string[] = [];
  if (c.outcome === 'fail') {
    // The finding that failed the check leads (under our-contract an earlier one may not gate).
    const first = c.findings.find((f) => gates(f, failOn)) ?? c.findings.find((f) => !f.ignored) ?? c.findings[0];
    const message = first ? `${c.findings.length} finding(s): ${first.message}` : c.reason ?? 'check failed';
    body.push(
      `      <failure message="${xmlAttr(message)}" type="${xmlAttr(first?.ruleId ?? 'check-failed')}">${xmlText(c.findings.map(findingText).join('\n\n'))}</failure>`,
    );
  } else if (c.outcome === 'skipped' || c.outcome === 'inconclusive') {
    const reason = c.outcome === 'inconclusive' ? `inconclusive: ${c.reason ?? 'no conclusive answer'}` : c.reason ?? 'skipped';
    body.push(`      <skipped message="${xmlAttr(reason)}"/>`);
  }
  // Findings that do not fail a check (below --fail-on, outside our-contract, or ignored) still reach the log.
  if (c.outcome !== 'fail' && c.findings.length > 0) {
    body.push(`      <system-out>${xmlText(c.findings.map(findingText).join('\n\n'))}</system-out>`);
  }
  return body.length === 0 ? `    <testcase ${attrs}/>` : `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`;
};

const suiteCounts = (checks: CheckResult[]) => ({
  tests: checks.length,
  failures: checks.filter((c) => c.outcome === 'fail').length,
  skipped: checks.filter((c) => c.outcome === 'skipped' || c.outcome === 'inconclusive').length,
});

/**
 * The run itself as the last suite: one testcase whose result is the run's outcome, so a
 * reader that sees only test results still sees a tool fault, a setup error, an interrupt
 * or an incomplete run (an <error>, or a <failure> of type "incomplete"), and what a pass
 * left undone.
 */
const runSuite = (results: RunResults): { xml: string; failures: number; errors: number } => {
  const view = outcomeView(results);
  const failures = view.outcome === 'failed' ? 1 : 0;
  const errors = view.executionSuccessful ? 0 : 1;
  const props = [
    ['outcome', view.outcome],
    ['exit_code', String(view.exitCode)],
    ['require', results.require],
    ['skipped', String(view.gaps.skipped)],
    ['inconclusive', String(view.gaps.inconclusive)],
    ['records_left', String(view.gaps.recordsLeft)],
  ]
    .map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v!)}"/>`)
    .join('\n');
  const attrs = `name="${xmlAttr(`run outcome: ${view.headline}`)}" classname="devrev-gate.run" time="${seconds(results.durationMs)}"`;
  const body: string[] = [];
  if (view.outcome === 'failed') {
    body.push(`      <failure message="${xmlAttr(view.why)}" type="${view.incomplete && !anyCheckFailed(results.pillars) ? 'incomplete' : 'provider-failed'}"/>`);
  } else if (!view.executionSuccessful) {
    body.push(`      <error message="${xmlAttr(view.why)}" type="${view.outcome}"/>`);
  }
  const left = (results.records.left ?? []).map((r) => `left on the target: ${r.endpoint} ${r.displayId ?? r.id}: ${r.why}`);
  const gaps = [hasGaps(view.gaps) ? `did not run to a verdict or left behind: ${gapsText(view.gaps)}` : '', ...left].filter(Boolean);
  if (gaps.length > 0) body.push(`      <system-out>${xmlText(gaps.join('\n'))}</system-out>`);
  const testcase = body.length === 0 ? `    <testcase ${attrs}/>` : `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>`;
  return {
    failures,
    errors,
    xml: [
      `  <testsuite name="run" tests="1" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(results.durationMs)}" timestamp="${xmlAttr(results.startedAt.replace(/Z$/, ''))}" hostname="${xmlAttr(results.target.kind)}">`,
      `    <properties>\n${props}\n    </properties>`,
      testcase,
      '  </testsuite>',
    ].join('\n'),
  };
};

export const renderJunit = (results: RunResults): string => {
  const suites = results.pillars.map((p) => {
    const n = suiteCounts(p.checks);
    const props = [
      ['pillar', p.pillar],
      ['requests_sent', String(p.requestsSent)],
      ...(p.data?.seed !== undefined ? [['seed', String(p.data.seed)]] : []),
    ]
      .map(([k, v]) => `      <property name="${xmlAttr(k!)}" value="${xmlAttr(v!)}"/>`)
      .join('\n');
    return [
      `  <testsuite name="${xmlAttr(p.pillar)}" tests="${n.tests}" failures="${n.failures}" errors="0" skipped="${n.skipped}" time="${seconds(p.durationMs)}" timestamp="${xmlAttr(p.startedAt.replace(/Z$/, ''))}" hostname="${xmlAttr(results.target.kind)}">`,
      `    <properties>\n${props}\n    </properties>`,
      ...p.checks.map((c) => testcase(p, c, results.failOn)),
      '  </testsuite>',
    ].join('\n');
  });
  const all = suiteCounts(results.pillars.flatMap((p) => p.checks));
  const run = runSuite(results);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`devrev-gate ${results.runId} against ${results.target.url}`)}" tests="${all.tests + 1}" failures="${all.failures + run.failures}" errors="${run.errors}" skipped="${all.skipped}" time="${seconds(results.durationMs)}">`,
    ...suites,
    run.xml,
    '</testsuites>',
    '',
  ].join('\n');
};
