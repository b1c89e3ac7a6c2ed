import fc from 'fast-check';
import { isValidRequest } from '../api-model/prose-rules/request.ts';
import { endpointModel } from '../api-model/endpoints/index.ts';
import type { EndpointSpec } from '../api-model/shapes/endpoints.ts';
import { BudgetExhaustedError } from '../core/errors.ts';
import { type HttpClient, type HttpResponse, TransportError } from '../core/http.ts';
import type { Progress } from '../core/progress.ts';
import { severityOfRule } from '../api-model/rulebook/index.ts';
import { evidenceOf } from '../core/evidence.ts';
import type { CheckResult, Evidence, Finding } from '../core/results.ts';
import type { RunContext } from '../core/run-context.ts';
import { stillAnswers } from '../api-model/endpoints/still-answers.ts';
import { type Case, isRawCase, type RawCase, uniquify } from './case.ts';
import { taggedFields, viewOf } from './endpoints.ts';
import type { CaseProperty, ClassDef } from './property.ts';
import { judge, type Problem } from './judge.ts';
import { confirmLabel, MislabelledCase } from './oracle.ts';

/**
 * Runs one property with fast-check against the target and turns the outcome into a
 * CheckResult. Rate limiting, the request budget, the time budget and Ctrl-C all end a
 * case without making it a counterexample: a throttled answer makes the case inconclusive,
 * a spent budget stops sending for the rest of the pillar (shrinking included).
 */
export interface PillarEnv {
  ctx: RunContext;
  client: HttpClient;
  /** Date.now() after which nothing more is sent. */
  deadline: number;
  /** Why the pillar stopped sending, once it has. */
  stopped: null | 'budget' | 'time' | 'interrupted' | 'target-down';
  /** Set when the target stopped answering: the input sent just before, and what failed. */
  targetDown?: { property: string; cls: string; curl: string; failure: string };
  /** The property running now. */
  property?: string;
  counts: Record<string, number>;
  /** Cases per class that got an answer to judge: what coverage means (a 429 judges nothing). */
  answered: Record<string, number>;
  /** Cases still 429 after the bounded retries. */
  throttled: number;
  progress: Progress;
  /** Unique-value tags: run id + sequence. */
  seq: number;
  sent: number;
}

/** The endpoint a check or finding names when it is about more than one endpoint. */
export const EVERY_ENDPOINT = 'all';

export interface RunSettings {
  seed: number;
  numRuns: number;
  /** Replay: the counterexample path (`--replay-path`). */
  path?: string;
  timeLimitMs: number;
}

/** Thrown by a predicate when the provider breaks the property for this case. */
export class PropertyFailure extends Error {
  constructor(
    readonly problems: Problem[],
    readonly status: number | null,
    readonly curl: string,
    readonly sentBody: unknown,
    /** The answer judged, redacted and cut (none when nothing answered). */
    readonly evidence?: Evidence,
  ) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'PropertyFailure';
  }
}

export interface Counterexample {
  property: string;
  cls: string;
  seed: number;
  path: string;
  /** The shrunk case, as generated (before unique tags were added). */
  case: unknown;
  curl: string | null;
  replay: string;
  shrinks: number;
}

export interface PropertyOutcome {
  check: CheckResult;
  counterexample: Counterexample | null;
  /** A generator bug found by the oracle. */
  mislabelled: MislabelledCase | null;
  casesRun: number;
  inconclusive: number;
  /** The property stopped before its planned cases (its time share, a budget, the target). */
  cut?: boolean;
}

export const stopIfNeeded = (env: PillarEnv): boolean => {
  if (env.stopped) return true;
  if (env.ctx.signal.aborted) env.stopped = 'interrupted';
  else if (Date.now() >= env.deadline) env.stopped = 'time';
  return env.stopped !== null;
};

const MAX_CURL = 4096;

/** A curl line for a finding; a huge body is not worth a megabyte of artifact. */
export const shortCurl = (curl: string): string =>
  curl.length <= MAX_CURL ? curl : `${curl.slice(0, MAX_CURL)}… (${curl.length} characters; replay the case to see it whole)`;

export interface SendOutcome {
  res: HttpResponse | null;
  /** Why nothing usable came back; null when `res` is set. */
  skipped: null | 'stopped' | 'throttled';
  body: unknown;
}

/**
 * A raw case that happens to be a valid create (arbitrary JSON often is `{}`) would create
 * an untagged user; it is sent re-serialised with the run's tags instead. Everything else
 * goes out byte for byte.
 */
const tagRawCreate = (c: RawCase, endpoint: EndpointSpec, tag: string): string | Uint8Array => {
  if (!c.contentType || !/json/i.test(c.contentType)) return c.raw;
  try {
    const parsed: unknown = JSON.parse(typeof c.raw === 'string' ? c.raw : Buffer.from(c.raw).toString('utf8'));
    return isValidRequest(endpoint, parsed) ? JSON.stringify(uniquify(parsed, tag, endpoint.name)) : c.raw;
  } catch {
    // Not JSON, or nested too deep to walk: no create can come of it, send it as it is.
    return c.raw;
  }
};

/** Sends one case (unique tags added, oracle confirmed first); null response when the pillar stopped. */
export const sendCase = async (env: PillarEnv, c: Case, tagUnique = true): Promise<SendOutcome> => {
  const endpoint = endpointModel(c.endpoint)!.spec;
  let body: unknown;
  let request: Parameters<HttpClient['send']>[0];
  if (isRawCase(c)) {
    request = { path: endpoint.path, rawBody: tagRawCreate(c, endpoint, `${env.ctx.runId}-${++env.seq}`), contentType: c.contentType };
  } else {
    body = tagUnique ? uniquify(c.body, `${env.ctx.runId}-${++env.seq}`, c.endpoint) : c.body;
    confirmLabel(c, body);
    request = { path: endpoint.path, body, ...(c.expect === 'unauthorized' ? { auth: 'none' as const } : {}) };
  }
  if (stopIfNeeded(env)) return { res: null, skipped: 'stopped', body };
  try {
    const res = await env.client.send(request);
    env.sent++;
    if (res.throttled) {
      env.throttled++;
      return { res: null, skipped: 'throttled', body };
    }
    env.answered[c.cls] = (env.answered[c.cls] ?? 0) + 1;
    return { res, skipped: null, body };
  } catch (err) {
    if (err instanceof BudgetExhaustedError) {
      env.stopped = 'budget';
      return { res: null, skipped: 'stopped', body };
    }
    if (err instanceof TransportError && err.failure === 'aborted') {
      env.stopped = 'interrupted';
      return { res: null, skipped: 'stopped', body };
    }
    if (err instanceof TransportError) {
      // The target may have died (on this input or on its own): then nothing more is sent,
      // and no shrinking runs against a dead port. The input sent just before is the evidence.
      if (!(await stillAnswers(env.client))) {
        env.stopped = 'target-down';
        env.targetDown = { property: env.property ?? '', cls: c.cls, curl: env.client.curlFor(request), failure: err.message };
        return { res: null, skipped: 'stopped', body };
      }
      // No answer at all, though the target still answers others: the provider dropped or
      // hung on this input, which no documented status allows.
      throw new PropertyFailure(
        [{ rule: 'no-answer', basis: 'spec', pointer: '', expected: 'an HTTP answer', actual: err.failure, message: err.message }],
        null,
        env.client.curlFor(request),
        body,
      );
    }
    throw err;
  }
};

export const recordCreated = (env: PillarEnv, endpoint: string, id: string | null, body: unknown) => {
  if (!id || env.ctx.target.kind === 'simulator') return;
  const b = (body ?? {}) as Record<string, unknown>;
  // What a person finds the record by: the run-tagged e-mail, and the first other unique value.
  const v = viewOf(endpoint);
  const tagged = taggedFields(v).filter((f) => typeof b[f] === 'string');
  const isEmail = (f: string) => {
    const fill = v.fills.get(`/${f}`);
    return fill?.kind === 'tagged' && fill.format === 'email';
  };
  const email = tagged.find(isEmail);
  const ref = v.model.uniqueFields.find((f) => tagged.includes(f) && !isEmail(f));
  env.ctx.ledger.record({
    event: 'created',
    endpoint,
    id,
    ...(ref ? { externalRef: b[ref] as string } : {}),
    ...(email ? { email: b[email] as string } : {}),
  });
};

export const replayCommand = (property: string, seed: number, path: string, classes?: readonly string[]): string =>
  `devrev-gate properties --property ${property} --seed ${seed} --replay-path '${path}'${classes?.length ? ` --classes ${classes.join(',')}` : ''}`;

export const findingsFor = (
  propertyName: string,
  basis: CaseProperty['basis'],
  endpoint: string,
  failure: PropertyFailure,
  note: string,
): Finding[] => {
  return failure.problems.map((p) => {
    // The rule a status failure is about carries the property's basis; shape and echo
    // problems carry their own.
    const b = p.rule === 'status' ? basis : p.basis;
    return {
      checkId: `properties.${propertyName}`,
      pillar: 'properties' as const,
      endpoint,
      status: failure.status,
      ruleId: `properties.${propertyName}.${p.rule}`,
      // The gate caps an assumed finding on a real target.
      severity: severityOfRule(`properties.${propertyName}.${p.rule}`),
      basis: b,
      pointer: p.pointer,
      expected: p.expected,
      actual: p.actual,
      message: `${p.message} (${note})`,
      reproduction: shortCurl(failure.curl),
      ...(failure.evidence ? { evidence: failure.evidence } : {}),
    };
  });
};

/** Runs a stateless property over its classes. */
export const runCaseProperty = async (
  env: PillarEnv,
  def: CaseProperty,
  classes: ClassDef[],
  settings: RunSettings,
  classFilter?: readonly string[],
): Promise<PropertyOutcome> => {
  const started = performance.now();
  let failedOnce = false;
  let casesRun = 0;
  let inconclusive = 0;
  let mislabelled: MislabelledCase | null = null;
  const arb = classes.length === 1 ? classes[0]!.arb : fc.oneof(...classes.map((c) => c.arb));
  env.property = def.name;

  const predicate = async (c: Case): Promise<boolean> => {
    if (!failedOnce) {
      env.counts[c.cls] = (env.counts[c.cls] ?? 0) + 1;
      casesRun++;
      env.progress.update(`${def.name}: ${casesRun} cases, ${env.sent} requests`);
    }
    try {
      // A known generator bug stops all sending; the run still shrinks the mislabelled case.
      if (mislabelled) {
        if (!isRawCase(c)) confirmLabel(c, uniquify(c.body, `${env.ctx.runId}-0`, c.endpoint));
        return true;
      }
      const { res, skipped, body } = await sendCase(env, c);
      if (skipped === 'throttled') inconclusive++;
      if (!res) return true;
      const j = judge(c, body, res, def.basis);
      recordCreated(env, c.endpoint, j.createdId, body);
      if (j.problems.length) throw new PropertyFailure(j.problems, res.status, res.curl, body, evidenceOf(res, env.ctx.redactor));
      return true;
    } catch (err) {
      if (err instanceof MislabelledCase) mislabelled ??= err;
      failedOnce = true;
      throw err;
    }
  };

  const details = await fc.check(fc.asyncProperty(arb, predicate), {
    seed: settings.seed,
    numRuns: settings.numRuns,
    ...(settings.path ? { path: settings.path, endOnFailure: true } : {}),
    plugins: [fc.interruptAfterTimeLimit(Math.max(1, settings.timeLimitMs))],
  });

  const durationMs = performance.now() - started;
  const endpoints = [...new Set(classes.flatMap((c) => c.endpoints ?? [EVERY_ENDPOINT]))];
  const endpoint = endpoints.length === 1 ? endpoints[0]! : EVERY_ENDPOINT;
  const base = { id: `properties.${def.name}`, pillar: 'properties' as const, name: def.title, endpoint, durationMs };

  if (details.failed && details.counterexample) {
    const shrunk = (details.counterexample as unknown as [Case])[0];
    const path = details.counterexamplePath!;
    const replay = replayCommand(def.name, details.seed, path, classFilter);
    const err = details.errorInstance;
    if (err instanceof MislabelledCase || mislabelled) {
      return {
        check: { ...base, outcome: 'inconclusive', reason: `not sent: ${(mislabelled ?? (err as Error)).message}`, findings: [] },
        counterexample: null,
        mislabelled: err instanceof MislabelledCase ? err : mislabelled,
        casesRun,
        inconclusive,
      };
    }
    if (!(err instanceof PropertyFailure)) {
      // Anything else is our own bug; report it loudly rather than as a provider failure.
      throw err instanceof Error ? err : new Error(String(err));
    }
    const note = `class ${shrunk.cls}; seed ${details.seed}; path ${path}; ${details.numShrinks} shrinks; replay: ${replay}`;
    const findings = findingsFor(def.name, def.basis, shrunk.endpoint, err, note);
    const counterexample: Counterexample = {
      property: def.name,
      cls: shrunk.cls,
      seed: details.seed,
      path,
      case: isRawCase(shrunk) ? { ...shrunk, raw: describeRaw(shrunk.raw) } : shrunk,
      curl: shortCurl(err.curl),
      replay,
      shrinks: details.numShrinks,
    };
    return {
      check: { ...base, outcome: 'pass', reason: `counterexample after ${details.numShrinks} shrinks: ${note}`, findings },
      counterexample,
      mislabelled: null,
      casesRun,
      inconclusive,
    };
  }
  const stoppedEarly = env.stopped !== null || details.interrupted;
  const reasons: string[] = [];
  if (inconclusive) reasons.push(`${inconclusive} case(s) throttled (429) after the bounded retries`);
  if (stoppedEarly) reasons.push(`stopped after ${casesRun} of ${settings.numRuns} cases (${env.stopped ?? 'time'} budget)`);
  const nothingChecked = casesRun - inconclusive <= 0;
  return {
    check: {
      ...base,
      outcome: nothingChecked ? 'inconclusive' : 'pass',
      ...(reasons.length ? { reason: reasons.join('; ') } : {}),
      findings: [],
    },
    counterexample: null,
    mislabelled: null,
    casesRun,
    inconclusive,
    cut: stoppedEarly,
  };
};

const describeRaw = (raw: string | Uint8Array): string => {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
  const head = bytes.subarray(0, 200);
  return `${bytes.length} bytes: ${JSON.stringify(head.toString('latin1'))}${bytes.length > 200 ? '…' : ''}`;
};
