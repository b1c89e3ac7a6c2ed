import { SPEC_DIFF_RULES } from '../api-model/rulebook/spec-diff.ts';
import type { CheckResult } from '../core/results.ts';
import type { SpecChange } from './diff.ts';

/**
 * What a person reads in the terminal: every change that can fail the gate in full (rule,
 * endpoints, where in a request or answer, the pointer on each side, old and new value),
 * additions a tolerant client ignores counted by rule unless asked for.
 */
const short = (v: unknown) => {
  if (v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
};

export const renderSpecChanges = (changes: SpecChange[], title: string, verbose = false): string => {
  const out: string[] = [];
  const by = { error: 0, warning: 0, info: 0 };
  for (const c of changes) by[SPEC_DIFF_RULES[c.ruleId].severity]++;
  out.push(`${title}: ${changes.length === 0 ? 'no change' : `${by.error} error(s), ${by.warning} warning(s), ${by.info} info`}`);
  const infoByRule = new Map<string, number>();
  for (const c of changes) {
    const sev = SPEC_DIFF_RULES[c.ruleId].severity;
    if (sev === 'info' && !verbose) {
      infoByRule.set(c.ruleId, (infoByRule.get(c.ruleId) ?? 0) + 1);
      continue;
    }
    const more = c.places.length > 1 ? ` (+${c.places.length - 1} more)` : '';
    out.push(`  ${sev.toUpperCase().padEnd(7)} ${c.ruleId}  ${c.endpoints.join(', ')}  ${c.places[0]}${more}: ${c.summary}`);
    out.push(`          ${c.from ?? '—'} → ${c.to ?? '—'}   ${short(c.before)} → ${short(c.after)}`);
  }
  if (infoByRule.size > 0) {
    out.push(`  info (listed with --verbose): ${[...infoByRule].map(([r, n]) => `${r} ×${n}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
};

export const renderPactCheck = (check: CheckResult): string => {
  const out = [`${check.name}: ${check.findings.length === 0 ? 'fits' : `${check.findings.length} mismatch(es)`}`];
  for (const f of check.findings) out.push(`  ${f.severity.toUpperCase().padEnd(7)} ${f.ruleId}  ${f.message}`);
  return `${out.join('\n')}\n`;
};
