import { pointerLabel } from '../core/pointer.ts';
import type { RunResults } from '../core/results.ts';
import { impactGroups, touchesText } from './impact.ts';
import { type NotRun, outcomeView } from './outcome.ts';
import { buildSummary, caseOf, type SummaryFinding } from './summary.ts';
import { mdCell, valueText } from './text.ts';

/**
 * summary.md: what a reviewer reads in a CI step summary or a PR comment. Short: the
 * verdict, one line per pillar, and a findings table capped so a drifting provider cannot
 * overflow GitHub's 1 MiB step-summary limit; summary.json has them all.
 */

export const MD_FINDINGS_CAP = 50;

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

/** Skipped and inconclusive checks with their reasons: a pass with these is not a clean pass. */
const notRunSection = (rows: NotRun[]): string[] => {
  if (rows.length === 0) return [];
  const out = ['', `### Did not run to a verdict (${rows.length})`, '', '| outcome | pillar | check | endpoint | reason |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows.slice(0, MD_FINDINGS_CAP)) {
    out.push(`| ${r.outcome} | ${r.pillar} | ${mdCell(r.name, 80)} | ${mdCell(r.endpoint)} | ${mdCell(r.reason, 200)} |`);
  }
  if (rows.length > MD_FINDINGS_CAP) out.push('', `…and ${rows.length - MD_FINDINGS_CAP} more: see summary.json (notRun).`);
  return out;
};

/** Docs drift: the changes grouped by what they do to our pact(s), each with the interactions it touches. */
const impactSection = (findings: SummaryFinding[]): string[] => {
  const groups = impactGroups(findings);
  if (!groups) return [];
  const out = ['', '### Impact on our contract', ''];
  out.push(groups.map((g) => `${g.title}: **${g.findings.length}**`).join(' · '));
  for (const g of groups) {
    // "Not breaking" is counted above; listing it would drown the two that matter.
    if (g.group === 'not-breaking' || g.findings.length === 0) continue;
    out.push('', `#### ${g.title[0]!.toUpperCase()}${g.title.slice(1)} (${g.findings.length})`, '', '| rule | endpoint | change | interactions of our pact it touches |', '| --- | --- | --- | --- |');
    for (const f of g.findings.slice(0, MD_FINDINGS_CAP)) {
      out.push(`| ${mdCell(f.ruleId)}${f.ignored ? ' (ignored)' : ''} | ${mdCell(f.endpoint)} | ${mdCell(f.message, 200)} | ${mdCell(touchesText(f), 400)} |`);
    }
    if (g.findings.length > MD_FINDINGS_CAP) out.push('', `…and ${g.findings.length - MD_FINDINGS_CAP} more: see summary.json or index.html.`);
  }
  return out;
};

/** Records the run created on the target and could not remove. */
const leftSection = (results: RunResults): string[] => {
  const left = results.records.left ?? [];
  if (results.records.remaining === 0) return [];
  const out = ['', `### Records left on the target (${results.records.remaining})`, ''];
  if (left.length > 0) {
    out.push('| endpoint | record | why it is still there |', '| --- | --- | --- |');
    for (const r of left.slice(0, MD_FINDINGS_CAP)) out.push(`| ${mdCell(r.endpoint)} | ${mdCell(r.displayId ?? r.id, 100)} | ${mdCell(r.why, 200)} |`);
    if (left.length > MD_FINDINGS_CAP) out.push('', `…and ${left.length - MD_FINDINGS_CAP} more: see summary.json (records.left) and ledger.jsonl.`);
  }
  out.push('', 'A removal that failed can be retried: `devrev-gate cleanup --ledger ledger.jsonl --target URL`. Dev users stay deactivated: DevRev documents no delete for them.');
  return out;
};

export const renderMarkdown = (results: RunResults): string => {
  const s = buildSummary(results);
  const view = outcomeView(results);
  const icon = view.label === 'PASS' ? '✅' : view.outcome === 'passed' ? '⚠️' : view.outcome === 'failed' ? '❌' : view.outcome === 'interrupted' ? '⏹️' : '⛔';
  const out: string[] = [];
  out.push(`## ${icon} devrev-gate: ${mdCell(view.headline, 300)}`);
  out.push('');
  out.push(`Outcome **${view.outcome}** (exit ${view.exitCode}): ${mdCell(view.why, 500)}.`, '');
  if (s.error) out.push(`**The run stopped early:** ${mdCell(s.error, 500)}`, '');
  out.push(
    `Target ${mdCell(s.target.url, 200)} (${s.target.kind}) · run ${mdCell(s.runId)} · ${ms(s.durationMs)} · ` +
      `${s.requests.sent} requests · docs pinned at ${mdCell(s.pinned.commit)} (${mdCell(s.pinned.date)}) · fails on ${s.failOn}`,
  );
  out.push('');
  out.push('| pillar | checks | passed | failed | skipped | inconclusive | errors | warnings | ignored | time |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of s.pillars) {
    out.push(
      `| ${p.pillar} | ${p.checks.total} | ${p.checks.pass} | ${p.checks.fail} | ${p.checks.skipped} | ${p.checks.inconclusive} | ${p.findings.error} | ${p.findings.warning} | ${p.findings.ignored} | ${ms(p.durationMs)} |`,
    );
  }
  out.push('');
  // The impact first: a reviewer's question is whether the change breaks us.
  const impact = impactSection(s.findings);
  if (impact.length) out.push(...impact.slice(1), '');
  if (s.findings.length === 0) {
    out.push('No findings.');
  } else {
    out.push(`### Findings (${s.findings.length})`);
    out.push('');
    out.push('| severity | pillar | case | endpoint | status | rule | pointer | expected | actual | message |');
    out.push('| --- | --- | --- | --- | ---: | --- | --- | --- | --- | --- |');
    for (const f of s.findings.slice(0, MD_FINDINGS_CAP)) {
      const sev = f.ignored ? `~~${f.severity}~~ ignored` : f.severity;
      out.push(
        `| ${sev} | ${f.pillar} | ${mdCell(caseOf(f), 60)} | ${mdCell(f.endpoint)} | ${f.status ?? '—'} | ${mdCell(f.ruleId)} | ${mdCell(pointerLabel(f.pointer), 80)} | ${mdCell(valueText(f.expected), 60)} | ${mdCell(valueText(f.actual), 60)} | ${mdCell(f.message)} |`,
      );
    }
    if (s.findings.length > MD_FINDINGS_CAP) {
      out.push('');
      out.push(`…and ${s.findings.length - MD_FINDINGS_CAP} more: see summary.json or index.html.`);
    }
  }
  out.push(...notRunSection(s.notRun), ...leftSection(results));
  out.push('');
  out.push('Full report: `index.html` (opens offline), machine-readable: `summary.json`, `junit.xml`, `results.sarif`, `ctrf.json`.');
  out.push('');
  return out.join('\n');
};
