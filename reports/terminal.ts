import { TARGET_DOWN_RULE } from '../core/evidence.ts';
import type { PillarResult, RunResults } from '../core/results.ts';
import { buildSummary } from './summary.ts';

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
  const down = results.pillars.find(targetDown);
  const head = `verdict: ${s.verdict.toUpperCase()}${s.interrupted ? ' (interrupted)' : ''}${down ? ` (the target stopped answering during ${down.pillar})` : ''} in ${seconds(s.durationMs)}`;
  return [head, pillars.join('; ') || 'no pillar ran', findings.join(', '), plural(s.requests.sent, 'request')].join(' · ');
};
