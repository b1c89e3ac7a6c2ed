import { TARGET_DOWN_RULE } from '../core/evidence.ts';
import { pointerLabel } from '../core/pointer.ts';
import type { PillarResult, RunResults } from '../core/results.ts';
import { impactGroups } from './impact.ts';
import { outcomeView, reasonShown } from './outcome.ts';
import { buildSummary, caseOf } from './summary.ts';

/**
 * The last line a person sees in the terminal or a CI log: the verdict, what each pillar's
 * checks did, and what was found, so nobody has to open a report to learn why the exit
 * code is what it is.
 */
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** True when the pillar reported that its target stopped answering mid-run. */
export const targetDown = (p: PillarResult): boolean =>
  p.checks.some((c) => c.findings.some((f) => f.ruleId === TARGET_DOWN_RULE));

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const renderVerdictLine = (results: RunResults): string => {
  const s = buildSummary(results);
  const pillars = s.pillars.map((p) => {
    const parts = [`${p.checks.pass} passed`];
    if (p.checks.fail > 0) parts.push(`${p.checks.fail} failed`);
    if (p.checks.skipped > 0) parts.push(`${p.checks.skipped} skipped`);
    if (p.checks.inconclusive > 0) parts.push(`${p.checks.inconclusive} inconclusive`);
    return `${p.pillar} ${parts.join(', ')}`;
  });
  const total = (k: 'error' | 'warning' | 'info' | 'ignored') => s.pillars.reduce((n, p) => n + p.findings[k], 0);
  const findings = [plural(total('error'), 'error'), plural(total('warning'), 'warning'), `${total('info')} info`];
  if (total('ignored') > 0) findings.push(`${total('ignored')} ignored`);
  const groups = impactGroups(s.findings);
  const impact = groups ? [`impact: ${groups.filter((g) => g.group !== 'not-breaking').map((g) => `${g.findings.length} ${g.title}`).join(', ')}`] : [];
  const down = results.pillars.find(targetDown);
  const head = `verdict: ${outcomeView(results).headline}${down ? ` (the target stopped answering during ${down.pillar})` : ''} in ${seconds(s.durationMs)}`;
  return [head, pillars.join('; ') || 'no pillar ran', findings.join(', '), ...impact, plural(s.requests.sent, 'request')].join(' · ');
};

const TABLE_ROWS = 40;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const oneLine = (s: string) => s.replace(/[\u0000-\u001F\u007F]+/g, ' ');

/**
 * The gate's findings table for the terminal (stdout): every pillar's findings, gating
 * ones first, one line each with the case that produced it, then the checks that did not
 * run to a verdict and why. Detail (expected, actual, curl) is in the reports.
 */
export const renderFindingsTable = (results: RunResults): string => {
  const s = buildSummary(results);
  const lines: string[] = [];
  const f = s.totals.findings;
  // A run that stopped before any check judged an answer (a setup error) found nothing because it looked at nothing.
  const judged = results.pillars.some((p) => p.checks.some((c) => c.outcome === 'pass' || c.outcome === 'fail'));
  lines.push(
    s.findings.length === 0
      ? judged
        ? 'findings: none'
        : 'findings: none: no check ran to a verdict'
      : `findings: ${plural(f.error, 'error')}, ${plural(f.warning, 'warning')}, ${f.info} info${f.ignored ? `, ${f.ignored} ignored` : ''}`,
  );
  if (s.findings.length > 0) {
    const head = ['SEVERITY', 'PILLAR', 'CASE', 'ENDPOINT', 'STATUS', 'RULE', 'POINTER'];
    const rows = s.findings.map((x) =>
      [x.ignored ? `${x.severity} (ignored)` : x.severity, x.pillar, caseOf(x), x.endpoint, x.status === null ? '—' : String(x.status), x.ruleId, pointerLabel(x.pointer)].map(oneLine),
    );
    const shown = rows.slice(0, TABLE_ROWS);
    const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...shown.map((r) => r[i]!.length))));
    lines.push(head.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd());
    for (const r of shown) lines.push(r.map((v, i) => pad(v, widths[i]!)).join('  ').trimEnd());
    if (rows.length > TABLE_ROWS) lines.push(`… ${rows.length - TABLE_ROWS} more findings in summary.json, summary.md and index.html`);
  }
  for (const p of results.pillars) {
    for (const c of p.checks.filter((x) => x.outcome === 'skipped' || x.outcome === 'inconclusive')) {
      lines.push(oneLine(`${c.outcome}: ${p.pillar} ${c.name}: ${reasonShown(c)}`));
    }
  }
  const left = results.records.left ?? [];
  for (const r of left.slice(0, 10)) lines.push(oneLine(`left on the target: ${r.endpoint} ${r.displayId ?? r.id}: ${r.why}`));
  if (left.length > 10) lines.push(`… ${left.length - 10} more records left on the target: see summary.md or summary.json`);
  return `${lines.join('\n')}\n`;
};
