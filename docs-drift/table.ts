import { SPEC_DIFF_RULES } from '../api-model/rulebook/spec-diff.ts';
import { type CheckResult, IMPACT_GROUP_TITLES, type Impact, type ImpactGroupName } from '../core/results.ts';
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

/** Up to three touched interactions per pact, then how many more. */
const SHOWN_TOUCHES = 3;

/** Under a change: which of our interactions it touches, or that it touches none. */
export const impactLines = (impact: Impact): string[] => {
  const out: string[] = [];
  for (const p of impact.pacts) {
    if (p.touches.length === 0) {
      out.push(`          touches no interaction of ${p.file}`);
      continue;
    }
    out.push(`          touches ${p.touches.length} interaction(s) of ${p.file}:`);
    for (const t of p.touches.slice(0, SHOWN_TOUCHES)) out.push(`            ${t.interaction}: ${t.how}`);
    if (p.touches.length > SHOWN_TOUCHES) out.push(`            and ${p.touches.length - SHOWN_TOUCHES} more`);
  }
  return out;
};

const GROUP_ORDER: ImpactGroupName[] = ['breaks-our-contract', 'breaks-other-clients', 'not-breaking'];

/**
 * Ignored changes are counted apart and marked, as every report shows them. With impacts,
 * changes that can fail the gate are grouped: those that break our contract, those breaking
 * only other clients, then the rest.
 */
export const renderSpecChanges = (
  changes: SpecChange[],
  title: string,
  verbose = false,
  ignored: ReadonlySet<SpecChange> = new Set(),
  impacts: ReadonlyMap<SpecChange, Impact> = new Map(),
): string => {
  const out: string[] = [];
  const by = { error: 0, warning: 0, info: 0 };
  for (const c of changes) if (!ignored.has(c)) by[SPEC_DIFF_RULES[c.ruleId].severity]++;
  const apart = ignored.size ? `, ${ignored.size} ignored` : '';
  out.push(`${title}: ${changes.length === 0 ? 'no change' : `${by.error} error(s), ${by.warning} warning(s), ${by.info} info${apart}`}`);
  const infoByRule = new Map<string, number>();
  const line = (c: SpecChange) => {
    const sev = SPEC_DIFF_RULES[c.ruleId].severity;
    const more = c.places.length > 1 ? ` (+${c.places.length - 1} more)` : '';
    const label = ignored.has(c) ? `${sev} (ignored)` : sev.toUpperCase().padEnd(7);
    out.push(`  ${label} ${c.ruleId}  ${c.endpoints.join(', ')}  ${c.places[0]}${more}: ${c.summary}`);
    out.push(`          ${c.from ?? '—'} → ${c.to ?? '—'}   ${short(c.before)} → ${short(c.after)}`);
    const impact = impacts.get(c);
    if (impact) out.push(...impactLines(impact));
  };
  const shown = changes.filter((c) => {
    if (SPEC_DIFF_RULES[c.ruleId].severity !== 'info' || verbose) return true;
    infoByRule.set(c.ruleId, (infoByRule.get(c.ruleId) ?? 0) + 1);
    return false;
  });
  if (impacts.size === 0) for (const c of shown) line(c);
  else {
    for (const group of GROUP_ORDER) {
      const list = shown.filter((c) => impacts.get(c)?.group === group);
      const all = changes.filter((c) => impacts.get(c)?.group === group).length;
      // The two breaking groups are always named, so "none" is said, not left to be inferred.
      if (group !== 'not-breaking' || list.length > 0) out.push(` ${IMPACT_GROUP_TITLES[group]}: ${all === 0 ? 'none' : `${all} change(s)`}`);
      for (const c of list) line(c);
    }
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
  for (const f of check.findings) {
    const group = f.impact ? ` [${IMPACT_GROUP_TITLES[f.impact.group]}]` : '';
    out.push(`  ${f.ignored ? `${f.severity} (ignored)` : f.severity.toUpperCase().padEnd(7)} ${f.ruleId}${group}  ${f.message}`);
  }
  return `${out.join('\n')}\n`;
};
