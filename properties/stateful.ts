import fc from 'fast-check';
import { evidenceOf } from '../core/evidence.ts';
import { ErrorConflict, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';

import { validate } from '../api-model/shapes/validate.ts';
import type { CheckResult } from '../core/results.ts';
import type { StatefulProperty } from './property.ts';
import { type Problem, judge } from './judge.ts';
import {
  type Counterexample,
  findingsFor,
  type PillarEnv,
  PropertyFailure,
  type PropertyOutcome,
  recordCreated,
  type RunSettings,
  replayCommand,
  sendCase,
  shortCurl,
} from './runner.ts';

/**
 * A stateful run (fc.commands + fc.asyncModelRun): rev users are created one after another
 * and the model remembers every external_ref the provider has accepted. A fresh ref must be
 * accepted (201, echoed); a ref already taken must get 409 with the documented conflict
 * body. Refs are made fresh at run time from the run id, so shrinking and replay (which run
 * the commands again) never collide with an earlier execution.
 *
 * A commands counterexample replays from seed + path + fast-check's commands replay path;
 * the two are joined with "~" in the one `--replay-path` value.
 */
interface Model {
  refs: string[];
}
interface Real {
  env: PillarEnv;
}

const REV = REV_USERS_CREATE.name;

class CreateFresh implements fc.AsyncCommand<Model, Real> {
  constructor(readonly withName: boolean) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const { env } = r;
    env.counts['stateful.create-fresh'] = (env.counts['stateful.create-fresh'] ?? 0) + 1;
    const ref = `ref-${env.ctx.runId}-${++env.seq}`;
    const body = this.withName ? { external_ref: ref, display_name: 'Stateful Run' } : { external_ref: ref };
    const { res } = await sendCase(env, { cls: 'stateful.create-fresh', endpoint: REV, expect: 'valid', body }, false);
    if (!res) return;
    const j = judge({ cls: 'stateful.create-fresh', endpoint: REV, expect: 'valid', body }, body, res, 'spec');
    recordCreated(env, REV, j.createdId, body);
    if (j.problems.length) throw new PropertyFailure(j.problems, res.status, res.curl, body, evidenceOf(res, env.ctx.redactor));
    m.refs.push(ref);
  }
  toString = () => `CreateFresh(${this.withName})`;
}

class CreateTaken implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.refs.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const { env } = r;
    env.counts['stateful.create-taken'] = (env.counts['stateful.create-taken'] ?? 0) + 1;
    const ref = m.refs[this.pick % m.refs.length]!;
    const body = { external_ref: ref };
    // Valid by the rules module; the conflict is state, which the rules cannot see.
    const { res } = await sendCase(env, { cls: 'stateful.create-taken', endpoint: REV, expect: 'valid', body: { ...body } }, false);
    if (!res) return;
    const problems: Problem[] = [];
    if (res.status !== 409) {
      problems.push({ rule: 'status', basis: 'assumed', pointer: '', expected: 409, actual: res.status, message: `external_ref ${ref} was taken, expected 409, got ${res.status}` });
      if (res.status === 201) recordCreated(env, REV, ((res.json as Record<string, Record<string, unknown>>)?.['rev_user']?.['id'] as string) ?? null, body);
    } else {
      for (const e of validate(ErrorConflict, res.json, 'documented').errors)
        problems.push({ rule: 'error-envelope', basis: 'spec', pointer: e.pointer, expected: e.message, actual: undefined, message: `the 409 body does not match the documented schema at ${e.pointer || '/'}: ${e.message}` });
    }
    if (problems.length) throw new PropertyFailure(problems, res.status, res.curl, body, evidenceOf(res, env.ctx.redactor));
  }
  toString = () => `CreateTaken(${this.pick})`;
}

const commandArbs = [fc.boolean().map((b) => new CreateFresh(b)), fc.nat({ max: 7 }).map((n) => new CreateTaken(n))];

export const runStatefulProperty = async (
  env: PillarEnv,
  def: StatefulProperty,
  settings: RunSettings,
  maxCommands: number,
): Promise<PropertyOutcome> => {
  const started = performance.now();
  env.property = def.name;
  const [path, replayPath] = (settings.path ?? '').split('~');
  let casesRun = 0;
  const details = await fc.check(
    fc.asyncProperty(fc.commands(commandArbs, { maxCommands, ...(replayPath ? { replayPath } : {}) }), async (cmds) => {
      casesRun++;
      env.progress.update(`${def.name}: ${casesRun} runs, ${env.sent} requests`);
      await fc.asyncModelRun(() => ({ model: { refs: [] }, real: { env } }), cmds);
    }),
    {
      seed: settings.seed,
      numRuns: settings.numRuns,
      ...(path ? { path, endOnFailure: true } : {}),
      plugins: [fc.interruptAfterTimeLimit(Math.max(1, settings.timeLimitMs))],
    },
  );
  const base = { id: `properties.${def.name}`, pillar: 'properties' as const, name: def.title, endpoint: REV, durationMs: performance.now() - started };
  if (details.failed && details.counterexample) {
    const err = details.errorInstance;
    if (!(err instanceof PropertyFailure)) throw err instanceof Error ? err : new Error(String(err));
    const shown = String((details.counterexample as unknown as [unknown])[0]);
    const commandsReplay = /replayPath="([^"]+)"/.exec(shown)?.[1];
    const fullPath = commandsReplay ? `${details.counterexamplePath}~${commandsReplay}` : details.counterexamplePath!;
    const replay = replayCommand(def.name, details.seed, fullPath);
    const note = `commands ${shown.replace(/\s*\/\*.*\*\//, '')}; seed ${details.seed}; path ${fullPath}; replay: ${replay}`;
    const findings = findingsFor(def.name, def.basis, REV, err, note);
    const counterexample: Counterexample = {
      property: def.name,
      cls: 'stateful',
      seed: details.seed,
      path: fullPath,
      case: shown,
      curl: shortCurl(err.curl),
      replay,
      shrinks: details.numShrinks,
    };
    // The gate fails the check when a finding gates.
    const check: CheckResult = { ...base, outcome: 'pass', reason: note, findings };
    return { check, counterexample, mislabelled: null, casesRun, inconclusive: 0 };
  }
  const stopped = env.stopped !== null || details.interrupted;
  return {
    check: { ...base, outcome: 'pass', ...(stopped ? { reason: `stopped after ${casesRun} runs (${env.stopped ?? 'time'} budget)` } : {}), findings: [] },
    counterexample: null,
    mislabelled: null,
    casesRun,
    inconclusive: 0,
    cut: stopped,
  };
};
