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

/** Ignored changes are counted apart and marked, as every report shows them. */
export const renderSpecChanges = (changes: SpecChange[], title: string, verbose = false, ignored: ReadonlySet<SpecChange> = new Set()): string => {
  const out: string[] = [];
  const by = { error: 0, warning: 0, info: 0 };
  for (const c of changes) if (!ignored.has(c)) by[SPEC_DIFF_RULES[c.ruleId].severity]++;
  const apart = ignored.size ? `, ${ignored.size} ignored` : '';
  out.push(`${title}: ${changes.length === 0 ? 'no change' : `${by.error} error(s), ${by.warning} warning(s), ${by.info} info${apart}`}`);
  const infoByRule = new Map<string, number>();
  for (const c of changes) {
    const sev = SPEC_DIFF_RULES[c.ruleId].severity;
    if (sev === 'info' && !verbose) {
      infoByRule.set(c.ruleId, (infoByRule.get(c.ruleId) ?? 0) + 1);
      continue;
    }
    const more = c.places.length > 1 ? ` (+${c.places.length - 1} more)` : '';
    const label = ignored.has(c) ? `${sev} (ignored)` : sev.toUpperCase().padEnd(7);
    out.push(`  ${label} ${c.ruleId}  ${c.endpoints.join(', ')}  ${c.places[0]}${more}: ${c.summary}`);
    out.push(`          ${c.from ?? '—'} → ${c.to ?? '—'}   ${short(c.before)} → ${short(c.after)}`);
  }
  if (infoByRule.size > 0) {
    out.push(`  info (listed with --verbose): ${[...infoByRule].map(([r, n]) => `${r} ×${n}`).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
};

/** Mismatches the older document already had are info (`spec diff`); they are counted apart. */
export const renderPactCheck = (check: CheckResult): string => {
  const old = check.findings.filter((f) => f.severity === 'info').length;
  const n = check.findings.length;
  const out = [`${check.name}: ${n === 0 ? 'fits' : `${n} mismatch(es)${old ? `, ${n - old} new, ${old} pre-existing (info)` : ''}`}`];
  for (const f of check.findings) out.push(`  ${f.ignored ? `${f.severity} (ignored)` : f.severity.toUpperCase().padEnd(7)} ${f.ruleId}  ${f.message}`);
  return `${out.join('\n')}\n`;
};
