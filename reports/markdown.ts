import { pointerLabel } from '../core/pointer.ts';
import type { RunResults } from '../core/results.ts';
import { buildSummary, caseOf } from './summary.ts';
import { mdCell, valueText } from './text.ts';

/**
 * summary.md: what a reviewer reads in a CI step summary or a PR comment. Short: the
 * verdict, one line per pillar, and a findings table capped so a drifting provider cannot
 * overflow GitHub's 1 MiB step-summary limit; summary.json has them all.
 */

export const MD_FINDINGS_CAP = 50;

const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(0)} s` : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

export const renderMarkdown = (results: RunResults): string => {
  const s = buildSummary(results);
  const icon = s.verdict === 'pass' ? '✅' : '❌';
  const out: string[] = [];
  out.push(`## ${icon} devrev-gate: ${s.verdict.toUpperCase()}${s.interrupted ? ' (interrupted)' : ''}`);
  out.push('');
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
  out.push('');
  out.push('Full report: `index.html` (opens offline), machine-readable: `summary.json`, `junit.xml`, `results.sarif`, `ctrf.json`.');
  out.push('');
  return out.join('\n');
};
