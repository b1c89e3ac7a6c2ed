import fc from 'fast-check';
import { evidenceOf } from '../core/evidence.ts';
import type { RequestValues } from '../api-model/cases/request-values.ts';
import { SIMULATOR_STAND_INS } from '../api-model/cases/stand-ins.ts';
import { endpointModel } from '../api-model/endpoints/index.ts';
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
 * A stateful run (fc.commands + fc.asyncModelRun) for an endpoint that documents 409 and has
 * unique fields: records are created one after another and the model remembers every
 * unique value the provider has accepted. A fresh value must be accepted (201, echoed); a
 * value already taken must get 409 with the documented conflict body. The bodies are the
 * catalogue's own valid creates (`minimal-create`, and `fields-create` for a fuller one),
 * filled through the values port: unique values are made fresh at run time from the run
 * id, so shrinking and replay (which run the commands again) never collide with an earlier
 * execution.
 *
 * A commands counterexample replays from seed + path + fast-check's commands replay path;
 * the two are joined with "~" in the one `--replay-path` value.
 */
interface Taken {
  field: string;
  value: unknown;
}
interface Model {
  taken: Taken[];
}
interface Real {
  env: PillarEnv;
  def: StatefulProperty;
}

/** The values port for one create: unique values fresh (or the one taken value), tenant records from the fixtures or stand-ins. */
/**
 * `made` collects every tagged value the port hands out, by field: a unique field's value is
 * what the port made for it, wherever the case puts it (`external_ref` itself, or an entry of
 * the `external_refs` array).
 */
const values = (env: PillarEnv, reuse: Taken | null, made: Taken[] = []): RequestValues => ({
  tagged: (field, format) => {
    if (reuse && field === reuse.field) return reuse.value;
    const tag = `${env.ctx.runId}-${++env.seq}`;
    const value = format === 'email' ? `unique-${tag}@example.com` : `ref-${tag}`;
    made.push({ field, value });
    return value;
  },
  fixture: (name) => (env.ctx.target.kind === 'simulator' ? SIMULATOR_STAND_INS[name] : env.ctx.fixtures[name]),
  text: () => 'Stateful Run',
});

/** The body of a catalogue create (its request written once, filled here); the minimal one without `fuller`. */
const createBody = (def: StatefulProperty, v: RequestValues, fuller: boolean): Record<string, unknown> => {
  const m = endpointModel(def.endpoint)!;
  const pick = (name: string) => m.cases.find((c) => c.name === name)?.request?.(v);
  const req = (fuller ? pick('fields-create') : undefined) ?? pick('minimal-create');
  if (!req || !('body' in req)) throw new Error(`${def.endpoint} has no minimal-create case with a body: the uniqueness run has nothing to send`);
  return req.body;
};

const uniqueIn = (def: StatefulProperty, made: readonly Taken[]): Taken[] =>
  made.filter((t) => endpointModel(def.endpoint)!.uniqueFields.includes(t.field));

class CreateFresh implements fc.AsyncCommand<Model, Real> {
  constructor(readonly withName: boolean) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const { env, def } = r;
    const cls = def.classNames[0]!;
    env.counts[cls] = (env.counts[cls] ?? 0) + 1;
    const made: Taken[] = [];
    const body = createBody(def, values(env, null, made), this.withName);
    const c = { cls, endpoint: def.endpoint, expect: 'valid', body } as const;
    const { res } = await sendCase(env, c, false);
    if (!res) return;
    const j = judge(c, body, res, 'spec');
    recordCreated(env, def.endpoint, j.createdId, body);
    if (j.problems.length) throw new PropertyFailure(j.problems, res.status, res.curl, body, evidenceOf(res, env.ctx.redactor));
    m.taken.push(...uniqueIn(def, made));
  }
  toString = () => `CreateFresh(${this.withName})`;
}

class CreateTaken implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.taken.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const { env, def } = r;
    const cls = def.classNames[1]!;
    env.counts[cls] = (env.counts[cls] ?? 0) + 1;
    const reuse = m.taken[this.pick % m.taken.length]!;
    const body = createBody(def, values(env, reuse), false);
    // Valid by the rules module; the conflict is state, which the rules cannot see.
    const { res } = await sendCase(env, { cls, endpoint: def.endpoint, expect: 'valid', body: { ...body } }, false);
    if (!res) return;
    const problems: Problem[] = [];
    const spec = endpointModel(def.endpoint)!.spec;
    if (res.status !== 409) {
      problems.push({ rule: 'status', basis: def.basis, pointer: '', expected: 409, actual: res.status, message: `${reuse.field} ${JSON.stringify(reuse.value)} was taken, expected 409, got ${res.status}` });
      const envelope = spec.envelope;
      if (res.status === 201 && envelope) recordCreated(env, def.endpoint, ((res.json as Record<string, Record<string, unknown>>)?.[envelope]?.['id'] as string) ?? null, body);
    } else {
      for (const e of validate(spec.responses[409]!, res.json, 'documented').errors)
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
      await fc.asyncModelRun(() => ({ model: { taken: [] }, real: { env, def } }), cmds);
    }),
    {
      seed: settings.seed,
      numRuns: settings.numRuns,
      ...(path ? { path, endOnFailure: true } : {}),
      plugins: [fc.interruptAfterTimeLimit(Math.max(1, settings.timeLimitMs))],
    },
  );
  const base = { id: `properties.${def.name}`, pillar: 'properties' as const, name: def.title, endpoint: def.endpoint, durationMs: performance.now() - started };
  if (details.failed && details.counterexample) {
    const err = details.errorInstance;
    if (!(err instanceof PropertyFailure)) throw err instanceof Error ? err : new Error(String(err));
    const shown = String((details.counterexample as unknown as [unknown])[0]);
    const commandsReplay = /replayPath="([^"]+)"/.exec(shown)?.[1];
    const fullPath = commandsReplay ? `${details.counterexamplePath}~${commandsReplay}` : details.counterexamplePath!;
    const replay = replayCommand(def.name, details.seed, fullPath);
    const note = `commands ${shown.replace(/\s*\/\*.*\*\//, '')}; seed ${details.seed}; path ${fullPath}; replay: ${replay}`;
    const findings = findingsFor(def.name, def.basis, def.endpoint, err, note);
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
