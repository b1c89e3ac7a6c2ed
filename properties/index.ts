import { targetDownCheck } from '../core/evidence.ts';
import { cutShort } from '../core/interrupt.ts';
import { HttpClient } from '../core/http.ts';
import { Progress } from '../core/progress.ts';
import { gatePillar, isRealTarget } from '../api-model/gate.ts';
import { type SuiteRuleId, severityOfRule } from '../api-model/rulebook/index.ts';
import { type CheckResult, type Finding, type PillarResult, pillarResult } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { PillarBudget } from './budget.ts';
import { type ClassDef, type PropertyDef, properties, type UnavailableClass } from './catalog.ts';
import { sourcesFor } from './generators/bodies.ts';
import { PROPERTIES_DEFAULTS, type PropertiesOptions, validateOptions } from './options.ts';
import { type Counterexample, EVERY_ENDPOINT, type PillarEnv, type PropertyOutcome, runCaseProperty, shortCurl } from './runner.ts';
import { runStatefulProperty } from './stateful.ts';

export { PROPERTIES_DEFAULTS, type PropertiesOptions } from './options.ts';
export type { Counterexample } from './runner.ts';

/**
 * The properties pillar: fast-check generates requests from every class the docs define,
 * the rules module confirms each label before it is sent, and each property checks the
 * answers against the documented shapes. Besides one check per property it reports the
 * oracle (generator bugs) and the class coverage (every class hit at least once).
 */
export const newSeed = (): number => (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

interface Planned {
  def: PropertyDef;
  classes: ClassDef[];
  unavailable: UnavailableClass[];
  numRuns: number;
}

const cutReason = (stopped: PillarEnv['stopped'], capped: boolean): string =>
  stopped === 'target-down'
    ? 'the target stopped answering'
    : stopped
      ? `the ${stopped} budget cut the run short`
      : capped
        ? 'the request budget capped the runs'
        : "a property's time share ran out";

/** The cause named wherever 429s kept the pillar from covering what it must. `run` has no --runs: say which command does. */
export const throttleCause = (throttled: number, sent: number): string =>
  `throttled: ${throttled} of ${sent} requests got 429; raise the quota, or send fewer: a lower --max-requests, or --runs of \`devrev-gate properties\``;

export const runProperties = async (ctx: RunContext, options: Partial<PropertiesOptions> = {}): Promise<PillarResult> => {
  const o = validateOptions({ ...PROPERTIES_DEFAULTS, ...options });
  const seed = o.seed ?? newSeed();
  const startedAt = new Date();
  const replaying = o.replayPath !== undefined;
  const progress = new Progress('properties', { quiet: ctx.quiet });
  progress.done(`seed ${seed}${replaying ? ` (replaying ${o.properties![0]} at path ${o.replayPath})` : ''}`);

  const budget = new PillarBudget(o.budget ?? ctx.budget.remaining, ctx.budget);
  const client = new HttpClient({ ...ctx, budget });
  const env: PillarEnv = {
    ctx,
    client,
    deadline: Date.now() + o.timeBudgetS * 1000,
    stopped: null,
    counts: {},
    answered: {},
    throttled: 0,
    progress,
    seq: 0,
    sent: 0,
  };

  const sources = sourcesFor(ctx);
  const plan: Planned[] = (o.definitions ?? properties()).filter((p) => !o.properties || o.properties.includes(p.name)).map((def) => {
    if (def.kind === 'stateful') {
      const wanted = !o.classes || def.classNames.some((c) => o.classes!.includes(c));
      return { def, classes: [], unavailable: [], numRuns: wanted ? o.statefulRuns : 0 };
    }
    const { classes, unavailable } = def.classes(sources);
    const chosen = o.classes ? classes.filter((c) => o.classes!.includes(c.name)) : classes;
    return { def, classes: chosen, unavailable, numRuns: o.runsPerClass * chosen.length };
  });

  // Each property gets a fair share of what is left of the budgets; one that finishes
  // early leaves the rest to the next.
  const checks: CheckResult[] = [];
  const counterexamples: Counterexample[] = [];
  const outcomes: PropertyOutcome[] = [];
  let cappedByBudget = false;
  for (const [i, p] of plan.entries()) {
    if (p.numRuns === 0) continue;
    const left = plan.length - i;
    const timeLimitMs = Math.max(1, (env.deadline - Date.now()) / left);
    // Keep a fifth of the share for shrinking; a stateful run costs up to maxCommands requests.
    const perRun = p.def.kind === 'stateful' ? o.maxCommands : 1;
    const affordable = Math.floor((budget.remaining / left) * 0.8 / perRun);
    const numRuns = replaying ? 1 : Math.max(1, Math.min(p.numRuns, affordable));
    if (numRuns < p.numRuns) cappedByBudget = true;
    if (env.stopped) {
      const notRun = { id: `properties.${p.def.name}`, pillar: 'properties' as const, name: p.def.title, endpoint: EVERY_ENDPOINT, durationMs: 0, findings: [] };
      if (env.stopped === 'interrupted') checks.push(cutShort({ ...notRun, outcome: 'skipped' }));
      else {
        const why = env.stopped === 'target-down' ? 'the target stopped answering' : `the ${env.stopped} budget ran out first`;
        checks.push({ ...notRun, outcome: 'inconclusive', reason: `not run: ${why}` });
      }
      continue;
    }
    const settings = { seed, numRuns, timeLimitMs, ...(o.replayPath ? { path: o.replayPath } : {}) };
    const before = { sent: env.sent, throttled: env.throttled };
    const outcome =
      p.def.kind === 'stateful'
        ? await runStatefulProperty(env, p.def, settings, o.maxCommands)
        : await runCaseProperty(env, p.def, p.classes, settings, o.classes);
    outcomes.push(outcome);
    const undecided = outcome.check.findings.length === 0;
    if (env.stopped === 'target-down' && undecided) {
      outcome.check = { ...outcome.check, outcome: 'inconclusive', reason: `stopped after ${outcome.casesRun} cases: the target stopped answering` };
    } else if (env.stopped === 'interrupted' && undecided) {
      outcome.check = cutShort(outcome.check);
    } else if (undecided && env.throttled > before.throttled) {
      // 429s are the provider's quota, not the property's answer: a class that got no
      // answer was not checked, and the cause is named, never a generator bug.
      const classes = p.def.kind === 'stateful' ? [...p.def.classNames] : p.classes.map((c) => c.name);
      const unanswered = classes.filter((c) => !env.answered[c]);
      const cause = throttleCause(env.throttled - before.throttled, env.sent - before.sent);
      if (unanswered.length > 0 || outcome.check.outcome === 'inconclusive')
        outcome.check = { ...outcome.check, outcome: 'inconclusive', reason: `${unanswered.length} of ${classes.length} class(es) got no answer to judge; ${cause}` };
    }
    checks.push(outcome.check);
    if (outcome.counterexample) counterexamples.push(outcome.counterexample);
    progress.done(`${p.def.name}: ${outcome.check.outcome} (${outcome.casesRun} cases)`);
  }

  const down = env.targetDown;
  if (down) {
    checks.push(
      targetDownCheck({
        pillar: 'properties',
        endpoint: EVERY_ENDPOINT,
        where: `during ${down.property} (class ${down.cls}); no case was shrunk against the dead port`,
        failure: down.failure,
        reproduction: shortCurl(down.curl),
        caseId: down.cls,
      }),
    );
  }

  // The oracle: a mislabelled case is a generator bug, reported loudly and never sent.
  const bugs = outcomes.flatMap((x) => (x.mislabelled ? [x.mislabelled] : []));
  checks.push({
    id: 'properties.oracle',
    pillar: 'properties',
    name: 'every generated case is labelled as the rules module judges it',
    endpoint: EVERY_ENDPOINT,
    outcome: 'pass',
    durationMs: 0,
    ...(bugs.length ? { reason: bugs.map((b) => `${b.message}; body ${JSON.stringify(b.body).slice(0, 300)}`).join(' | ') } : {}),
    findings: bugs.map((b) =>
      suiteFinding('properties.oracle', 'suite-case-mislabelled', `generator bug: ${b.message}`, b.body),
    ),
  });

  // Coverage: every class of every property that ran was generated at least once.
  const expected = plan.flatMap((p) =>
    p.numRuns === 0 ? [] : p.def.kind === 'stateful' ? [...p.def.classNames] : p.classes.map((c) => c.name),
  );
  const classCounts: Record<string, number> = Object.fromEntries(expected.map((c) => [c, env.counts[c] ?? 0]));
  const never = expected.filter((c) => classCounts[c] === 0);
  const unavailable = plan.flatMap((p) => p.unavailable);
  // A property whose time share ran out (or a budget, or a target that died) never had the
  // chance to draw every class: that is inconclusive, not a coverage failure.
  const cut = env.stopped !== null || cappedByBudget || outcomes.some((x) => x.cut);
  // 429s explain a class that was generated but never answered, and a stateful command never
  // drawn: it runs only when the answers before it allow (a taken ref needs a created one).
  // A stateless class's draw does not depend on answers, so its absence is still the generator's.
  const throttled = env.throttled > 0 ? throttleCause(env.throttled, env.sent) : null;
  const stateful = new Set(plan.flatMap((p) => (p.def.kind === 'stateful' ? [...p.def.classNames] : [])));
  const unanswered = expected.filter((c) => classCounts[c]! > 0 && !env.answered[c]);
  const neverDrawn = cut ? [] : never.filter((c) => !(throttled && stateful.has(c)));
  const cause = throttled ?? (cut ? cutReason(env.stopped, cappedByBudget) : null);
  // Unanswered classes count only where a cause explains them (a mislabelled case is not sent either).
  const gaps = [...(never.length ? [`never generated: ${never.join(', ')}`] : []), ...(unanswered.length && cause ? [`never answered: ${unanswered.join(', ')}`] : [])];
  const skip = replaying || counterexamples.length > 0;
  const coverage: CheckResult = {
    id: 'properties.class-coverage',
    pillar: 'properties',
    name: 'every generator class was hit at least once',
    endpoint: EVERY_ENDPOINT,
    outcome: skip ? 'skipped' : gaps.length === 0 || neverDrawn.length > 0 || !cause ? 'pass' : 'inconclusive',
    durationMs: 0,
    ...(replaying
      ? { reason: 'replay runs one case' }
      : counterexamples.length
        ? { reason: 'a property failed: its cases stopped at the counterexample' }
        : gaps.length
          ? { reason: `${gaps.join('; ')}${neverDrawn.length ? '; raise --runs' : cause ? ` (${cause}: not a coverage failure)` : ''}` }
          : {}),
    // A stateless class never generated in a run that was not cut short is a generator bug (exit 3).
    findings: skip
      ? []
      : neverDrawn.map((c) => suiteFinding('properties.class-coverage', 'suite-class-never-generated', `generator bug: class ${c} was never generated; raise --runs`, c)),
  };
  checks.push(env.stopped === 'interrupted' && coverage.findings.length === 0 ? cutShort(coverage) : coverage);
  if (unavailable.length)
    checks.push({
      id: 'properties.unavailable-classes',
      pillar: 'properties',
      name: 'generator classes this target cannot take',
      endpoint: EVERY_ENDPOINT,
      outcome: 'skipped',
      durationMs: 0,
      reason: unavailable.map((u) => `${u.name}: ${u.reason}`).join('; '),
      findings: [],
    });

  // PillarData is open: the counterexamples and per-property case counts ride along for the reports.
  // The one gate step (the session applies it again with the run's options).
  const gate = { failOn: 'error' as const, ignore: null, realTarget: isRealTarget(ctx.target), now: Date.now() };
  return gatePillar(pillarResult(
    'properties',
    startedAt,
    budget.sent,
    checks,
    Object.assign(
      { seed, classCounts },
      { counterexamples, casesPerProperty: Object.fromEntries(outcomes.map((x) => [x.check.id, x.casesRun])) },
    ),
  ), gate);
};

/** A finding about the suite itself: no provider answer, no reproduction, exit 3. */
const suiteFinding = (checkId: string, ruleId: SuiteRuleId, message: string, actual: unknown): Finding => ({
  checkId,
  pillar: 'properties',
  endpoint: EVERY_ENDPOINT,
  status: null,
  ruleId,
  severity: severityOfRule(ruleId),
  basis: 'spec',
  pointer: '',
  expected: 'a generator that labels and covers its classes',
  actual,
  message,
  reproduction: null,
});
