import { pointerLabel } from '../core/pointer.ts';
import type { Finding, PillarResult, SeverityName } from '../core/results.ts';

/**
 * The terminal's short view of a drift run: findings grouped by endpoint, then severity,
 * one line each, then the checks that did not run and why. The full detail (expected,
 * actual, curl) is in results.json; this only tells a reader where to look.
 */
const ORDER: SeverityName[] = ['error', 'warning', 'info'];
const MAX_ROWS = 40;

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export const renderDriftTable = (pillar: PillarResult): string => {
  const findings: Array<Finding & { kase: string }> = pillar.checks.flatMap((c) =>
    c.findings.map((f) => ({ ...f, kase: c.id.split('.').slice(-1)[0] ?? c.id })),
  );
  const lines: string[] = [];
  const counts = (s: SeverityName) => findings.filter((f) => f.severity === s && !f.ignored).length;
  const ignored = findings.filter((f) => f.ignored).length;
  const failed = pillar.checks.filter((c) => c.outcome === 'fail').length;
  lines.push(
    `drift: ${pillar.checks.length} checks (${failed} failed), ${counts('error')} errors, ${counts('warning')} warnings, ` +
      `${counts('info')} info${ignored ? `, ${ignored} ignored` : ''}, ${pillar.requestsSent} requests`,
  );
  if (findings.length) {
    const rows = [...findings].sort(
      (a, b) =>
        a.endpoint.localeCompare(b.endpoint) ||
        ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) ||
        a.ruleId.localeCompare(b.ruleId) ||
        a.pointer.localeCompare(b.pointer),
    );
    const cells = rows.map((f) => [
      f.endpoint,
      f.ignored ? `${f.severity} (ignored)` : f.severity,
      f.ruleId,
      pointerLabel(f.pointer),
      `${f.kase}${f.status === null ? '' : ` ${f.status}`}`,
    ]);
    const head = ['ENDPOINT', 'SEVERITY', 'RULE', 'POINTER', 'CASE'];
    const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((r) => r[i]!.length))));
    lines.push(head.map((h, i) => pad(h, widths[i]!)).join('  ').trimEnd());
    let prev: string[] = [];
    for (const r of cells.slice(0, MAX_ROWS)) {
      // Group visually: repeat endpoint and severity only where they change.
      const shown = r.map((v, i) => (i < 2 && r[0] === prev[0] && (i === 0 || r[1] === prev[1]) ? '' : v));
      lines.push(shown.map((v, i) => pad(v, widths[i]!)).join('  ').trimEnd());
      prev = r;
    }
    if (cells.length > MAX_ROWS) lines.push(`… ${cells.length - MAX_ROWS} more findings in results.json`);
  }
  for (const c of pillar.checks.filter((x) => x.outcome === 'skipped' || x.outcome === 'inconclusive')) {
    lines.push(`${c.outcome}: ${c.endpoint} ${c.id.split('.').slice(-1)[0]}: ${c.reason ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
};
