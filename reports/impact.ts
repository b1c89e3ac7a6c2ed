import { type Finding, IMPACT_GROUP_TITLES, IMPACT_GROUPS, type ImpactGroupName } from '../core/results.ts';

/**
 * The docs-drift impact as every report shows it: findings that carry an impact (spec diff
 * and spec check) grouped into "breaks our contract", "breaking for other clients" and
 * "not breaking", each naming the interactions of our pact(s) it touches. Reads findings
 * only.
 */
export interface ImpactGroupView<F extends Finding> {
  group: ImpactGroupName;
  title: string;
  findings: F[];
}

/** The groups in order, or null when no finding carries an impact (a run with no spec pillar). */
export const impactGroups = <F extends Finding>(findings: readonly F[]): Array<ImpactGroupView<F>> | null => {
  const withImpact = findings.filter((f) => f.impact !== undefined);
  if (withImpact.length === 0) return null;
  return IMPACT_GROUPS.map((group) => ({ group, title: IMPACT_GROUP_TITLES[group], findings: withImpact.filter((f) => f.impact!.group === group) }));
};

/** "rev-users.create 201 full request (reads response field /rev_user/email), …" or "none of pacts/x.json". */
export const touchesText = (f: Finding, max = 3): string => {
  if (!f.impact) return '';
  const touched = f.impact.pacts.flatMap((p) => p.touches.map((t) => `${t.interaction} (${t.how})`));
  if (touched.length === 0) return `no interaction of ${f.impact.pacts.map((p) => p.file).join(', ') || 'any pact'}`;
  const more = touched.length > max ? `, and ${touched.length - max} more` : '';
  return `${touched.slice(0, max).join('; ')}${more}`;
};
