import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evidenceOf, targetDownCheck } from '../../core/evidence.ts';
import { SetupError } from '../../core/errors.ts';
import { cutShort, INTERRUPTED } from '../../core/interrupt.ts';
import { ECHO_BASIS } from '../../api-model/cases/catalogue.ts';
import { profileOf } from '../../api-model/endpoints/profiles.ts';
import { harmlessRequestEndpoint } from '../../api-model/endpoints/index.ts';
import { gatePillar, isRealTarget } from '../../api-model/gate.ts';
import { ruleInfo, severityOfRule } from '../../api-model/rulebook/index.ts';
import { type AuthStyle, HttpClient } from '../../core/http.ts';
import { shownPath } from '../../core/shown-path.ts';
import { type BasisName, type CheckResult, type Evidence, type Finding, type PillarResult, pillarResult, type SeverityName } from '../../core/results.ts';
import type { RunContext } from '../../core/run-context.ts';
import {
  type BrokerConfig,
  canIDeployCommand,
  classifyCanIDeploy,
  commandLine,
  probeBroker,
  publishCommand,
  publishedPactUrl,
  runBroker,
} from './broker.ts';
import { MOCK_SERVER_RETRIES, PACT_FILE, runConsumer } from './consumer.ts';
import { type ContractInteraction, interactions } from './interactions.ts';
import { detailsOfError } from './mismatch.ts';
import { FIXTURE_STATES, fixtureStates, simulatorStates, type StateSetter } from './states.ts';
import { type CapturedAnswer, type ContractAuth, VERIFIER_LOG, type VerifyOutcome, verifyPact } from './verify.ts';

/**
 * The contracts pillar: run the consumer side (the SDK against Pact mock servers, writing
 * the pact file), verify the pact against the target with provider states set the way the
 * target allows, and, with a broker configured, publish and ask can-i-deploy. Every
 * interaction is one check; every mismatch one finding with the interaction, a pointer,
 * expected and actual.
 */
export { CONSUMER, PACT_FILE, PROVIDER, runConsumer } from './consumer.ts';
export { interactions } from './interactions.ts';
export { STATES } from './states.ts';

export interface ContractsOptions {
  /** Where the pact file is written (cleared first). Default: <outDir>/pacts. */
  pactDir?: string;
  /** How provider states are set; default: the simulator's setup routes on the simulator, fixtures elsewhere. */
  states?: StateSetter;
  broker?: BrokerConfig | null;
  /** Gate the result on its own (a direct call); the session gates every pillar with the run's options. */
  failOn?: SeverityName;
  /** Progress lines (stderr); silent when absent. */
  say?: (line: string) => void;
  /** How the token goes out: `sdk` (the official SDK's bare token, default) or `bearer`. */
  auth?: ContractAuth;
  /** Show the Pact verifier's own report in the terminal instead of its log file. */
  debug?: boolean;
}

export const slugOf = (description: string) =>
  description.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');

/**
 * The basis of a mismatch: the interaction's, except where the answer echoes a field the
 * request set; no sentence of the docs promises the echo (the catalogue's echo basis).
 */
const basisAt = (i: ContractInteraction, pointer: string): BasisName => {
  if (i.status !== i.endpoint.successStatus) return i.basis;
  const echoes = profileOf(i.endpoint.name).echoed;
  const at = (p: string) => pointer === p || pointer.startsWith(`${p}/`);
  return echoes.some((e) => at(`/${i.endpoint.envelope}${e.answer}`)) ? ECHO_BASIS : i.basis;
};

const checkIdOf = (i: ContractInteraction) => `contracts.${slugOf(i.description)}`;

const durationOf = (d: unknown): number => {
  const m = /^([\d.]+)(ms|s)$/.exec(String(d ?? ''));
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : 0;
};

/** Which interaction a verifier error is about: its text ends with the description. */
const interactionOf = (all: readonly ContractInteraction[], text: string) => all.find((i) => text === i.description || text.endsWith(` - ${i.description}`));

const defaultStates = (ctx: RunContext): StateSetter =>
  ctx.target.kind === 'simulator' ? simulatorStates(ctx.target.url) : fixtureStates();

/** A copy of the pact without the interactions that need a state known to be unsettable. */
const withoutUnsettable = (file: string, unsettable: Set<string>): { file: string; cleanup: () => void } => {
  if (unsettable.size === 0) return { file, cleanup: () => {} };
  const pact = JSON.parse(readFileSync(file, 'utf8')) as { interactions: Array<{ providerStates?: Array<{ name: string }> }> };
  pact.interactions = pact.interactions.filter((i) => !(i.providerStates ?? []).some((s) => unsettable.has(s.name)));
  const dir = mkdtempSync(join(tmpdir(), 'devrev-gate-pact-'));
  const copy = join(dir, PACT_FILE);
  writeFileSync(copy, JSON.stringify(pact));
  return { file: copy, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};

/**
 * A 429 that outlasted the shared client's bounded retries, or a 503 that did, is the
 * provider being busy, not drift: the interaction is inconclusive, as in every pillar.
 */
const transientReason = (i: ContractInteraction, a: CapturedAnswer): string | null => {
  if (a.status === 429 && i.status !== 429) return `still throttled (429) after ${a.attempts} attempt(s) within the retry budget`;
  if (a.status === 503 && i.status !== 503) return `still unavailable (503) after ${a.attempts} attempt(s) within the retry budget`;
  return null;
};

/**
 * The interaction promises a throttled caller 429 with Retry-After (the rate-limits page);
 * a 503 still there after the bounded retries breaks it: a finding, not a transient answer.
 */
const UNAVAILABLE_RULE = 'rate-limit-503-instead-of-429';
const unavailableForThrottle = (ctx: RunContext, i: ContractInteraction, a: CapturedAnswer): Finding | null => {
  if (i.status !== 429 || a.status !== 503) return null;
  const retryAfter = a.headers['retry-after'];
  return {
    checkId: checkIdOf(i),
    caseId: i.description,
    pillar: 'contracts',
    endpoint: i.endpoint.name,
    status: 503,
    ruleId: UNAVAILABLE_RULE,
    severity: severityOfRule(UNAVAILABLE_RULE),
    basis: ruleInfo(UNAVAILABLE_RULE)!.basis!,
    pointer: '/status',
    expected: '429 with Retry-After',
    actual: `503${retryAfter === undefined ? ' without Retry-After' : ` with Retry-After ${retryAfter}`}`,
    message: `${i.description}: a throttled caller got 503 after ${a.attempts} attempt(s), where the rate-limits page promises 429 with Retry-After`,
    reproduction: a.curl,
    evidence: evidenceOf(a, ctx.redactor),
  };
};

interface RootCause {
  check: CheckResult;
  /** The reason an interaction is not judged on its own, or null when it is. */
  covers(i: ContractInteraction, a: CapturedAnswer | undefined): string | null;
}

const rootFinding = (ruleId: string, expected: string, actual: string, message: string, reproduction: string | null, evidence?: Evidence): Finding => ({
  checkId: 'contracts.target',
  pillar: 'contracts',
  endpoint: '*',
  status: evidence?.status ?? null,
  ruleId,
  severity: 'error',
  basis: 'spec',
  pointer: '',
  expected,
  actual,
  message,
  reproduction,
  ...(evidence ? { evidence } : {}),
});

const rootCheck = (name: string, finding: Finding): CheckResult => ({
  id: 'contracts.target',
  pillar: 'contracts',
  name,
  endpoint: '*',
  outcome: 'fail',
  durationMs: 0,
  reason: finding.message,
  findings: [finding],
});

/**
 * When every request got the same answer for one reason (the target died; every token
 * was refused), that reason is ONE finding naming the cause and the fix, and the
 * interactions it spoiled are inconclusive instead of a dozen unrelated-looking failures.
 */
const rootCauseOf = async (ctx: RunContext, v: VerifyOutcome, auth: ContractAuth): Promise<RootCause | null> => {
  if (v.down) {
    const down = v.down;
    return {
      check: targetDownCheck({
        pillar: 'contracts',
        endpoint: '*',
        where: down.interaction ? `at "${down.interaction}"` : 'during verification',
        failure: down.failure,
        reproduction: down.curl,
      }),
      covers: (_i, a) => (a ? null : 'not verified: the target stopped answering'),
    };
  }
  const withToken = [...v.answers.values()].filter((a) => a.tokenSent);
  if (withToken.length < 2 || !withToken.every((a) => a.status === 401)) return null;
  // Every request with a token got 401. Does the other form of the same token pass?
  const other: AuthStyle = auth === 'bearer' ? 'raw' : 'bearer';
  const http = new HttpClient(ctx);
  // A body without the required fields: it creates nothing, whichever form of the token passes.
  const probe = await http.send({ path: harmlessRequestEndpoint().spec.path, body: {}, auth: other, retry429: false }).catch(() => null);
  const evidence = evidenceOf(withToken[0]!, ctx.redactor);
  const note = "DevRev's docs say `Authorization: Bearer <token>`, while its official SDK sends the bare token";
  let finding: Finding;
  if (probe && probe.status !== 401 && auth === 'sdk') {
    finding = rootFinding(
      'contracts-auth-scheme',
      'the SDK\'s `Authorization: <token>` accepted',
      `401 to all ${withToken.length} requests; \`Authorization: Bearer <token>\` got ${probe.status}`,
      `every request with the official SDK's bare token (\`Authorization: <token>\`) got 401, while the same token sent as \`Bearer\` was accepted (${probe.status}): the target requires the Bearer form. ${note}; pass --auth-scheme bearer to verify the contracts with Bearer`,
      withToken[0]!.curl,
      evidence,
    );
  } else if (probe && probe.status !== 401) {
    finding = rootFinding(
      'contracts-auth-scheme',
      '`Authorization: Bearer <token>` accepted',
      `401 to all ${withToken.length} requests; the bare token got ${probe.status}`,
      `every request with \`Authorization: Bearer <token>\` got 401, while the bare token was accepted (${probe.status}). ${note}; drop --auth-scheme bearer`,
      withToken[0]!.curl,
      evidence,
    );
  } else {
    finding = rootFinding(
      'contracts-token-rejected',
      'the token accepted',
      `401 to all ${withToken.length} requests, in both forms`,
      `every request got 401, with the token sent bare and as Bearer: the target rejects this token; check --token / DEVREV_TOKEN`,
      withToken[0]!.curl,
      evidence,
    );
  }
  return {
    check: rootCheck('the target accepts the token', finding),
    covers: (i, a) => (a?.tokenSent && i.status !== 401 ? `not judged: every request with a token got 401 (see contracts.target)` : null),
  };
};

export const runContracts = async (ctx: RunContext, options: ContractsOptions = {}): Promise<PillarResult> => {
  // Pact's core reports usage to a metrics server unless told not to: a gate that may hold
  // a production token should not phone anyone but its target. A user's own choice stands.
  process.env['PACT_DO_NOT_TRACK'] ??= 'true';
  const startedAt = new Date();
  const say = options.say ?? (() => {});
  const pactDir = resolve(options.pactDir ?? join(ctx.outDir, 'pacts'));
  const checks: CheckResult[] = [];
  const sentBefore = ctx.budget.sent;

  // The interactions of this run: every endpoint's, those a test added included.
  const current = interactions();
  say(`contracts: consumer side, ${current.length} interactions through @devrev/typescript-sdk → ${pactDir}`);
  const t0 = Date.now();
  let retries = 0;
  const consumer = await runConsumer(pactDir, current, {
    onFlake: (attempt) => {
      if (attempt <= MOCK_SERVER_RETRIES) retries++;
    },
  });
  const broken = consumer.results.filter((r) => !r.ok);
  checks.push({
    id: 'contracts.consumer',
    pillar: 'contracts',
    name: 'consumer interactions run through the official SDK and write the pact',
    endpoint: '*',
    // The gate fails the check when a finding gates.
    outcome: 'pass',
    durationMs: Date.now() - t0,
    ...(retries > 0 ? { retries } : {}),
    findings: broken.map((b) => ({
      checkId: 'contracts.consumer',
      pillar: 'contracts',
      endpoint: '*',
      status: null,
      ruleId: 'consumer-interaction',
      severity: 'error',
      basis: 'spec',
      pointer: '',
      expected: 'the interaction matches on the mock server and the client reads what it relies on',
      actual: b.error ?? 'failed',
      message: `${b.description}: ${b.error ?? 'failed'}`,
      reproduction: null,
    })),
  });
  if (!existsSync(consumer.file)) {
    return pillarResult('contracts', startedAt, 0, checks);
  }
  // Interrupted before verification: no interaction was sent, none is judged.
  if (ctx.signal.aborted) {
    for (const i of current) checks.push({ id: checkIdOf(i), pillar: 'contracts', name: i.description, endpoint: i.endpoint.name, outcome: 'skipped', durationMs: 0, reason: INTERRUPTED, findings: [] });
    return pillarResult('contracts', startedAt, 0, checks);
  }

  const broker = options.broker ?? null;
  if (broker) {
    await probeBroker(broker);
    const publish = publishCommand(broker, consumer.file);
    say(`contracts: ${commandLine(publish)}`);
    const out = await runBroker(publish);
    if (out.code !== 0) {
      if (/error sending request|Failed to access|connect/i.test(out.stdout + out.stderr)) {
        throw new SetupError(`Pact Broker ${broker.baseUrl} cannot be reached while publishing`, 'check PACT_BROKER_BASE_URL and the network');
      }
      throw new SetupError(`pact-broker publish failed (exit ${out.code}): ${ctx.redactor.text((out.stderr || out.stdout).trim().split('\n')[0] ?? '')}`, 'check the broker credentials and versions');
    }
  }

  const states = options.states ?? defaultStates(ctx);
  const stateCtx = { runId: ctx.runId, token: ctx.token, fixtures: ctx.fixtures };
  const known = new Set(current.flatMap((i) => i.states.map((s) => s.name)).filter((n) => states.canSet?.(n, stateCtx) === false));
  const { file: pactFile, cleanup } = withoutUnsettable(consumer.file, known);
  say(`contracts: verifying against ${ctx.target.url} (states: ${states.name})`);
  const verifierLog = join(ctx.outDir, VERIFIER_LOG);
  if (options.debug) say('contracts: the Pact verifier reports to the terminal (--debug)');
  else {
    mkdirSync(ctx.outDir, { recursive: true });
    writeFileSync(verifierLog, '');
    say(`contracts: the Pact verifier's own report: ${shownPath(verifierLog)}`);
  }
  const verified = await verifyPact(ctx, {
    pactFile,
    states,
    auth: options.auth ?? 'sdk',
    output: options.debug ? 'terminal' : { log: verifierLog },
    ...(broker
      ? {
          publish: {
            brokerUrl: broker.baseUrl,
            providerVersion: broker.providerVersion,
            pactUrl: publishedPactUrl(broker),
            ...(broker.token ? { token: broker.token } : {}),
            ...(broker.username ? { username: broker.username } : {}),
            ...(broker.password ? { password: broker.password } : {}),
          },
        }
      : {}),
  }).finally(cleanup);
  for (const name of known) verified.unsettable.set(name, states.name);

  const errorsByInteraction = new Map<ContractInteraction, Finding[]>();
  for (const e of verified.report.errors ?? []) {
    const i = interactionOf(current, e.interaction);
    if (!i) continue;
    const list = errorsByInteraction.get(i) ?? [];
    const details = detailsOfError(e.mismatch);
    // Under the wrong status the body was judged against another answer's schema: the
    // status is the finding, not the fields that answer lacks.
    const statusWrong = details.filter((d) => d.ruleId === 'pact-status');
    for (const d of statusWrong.length ? statusWrong : details) {
      list.push({
        checkId: checkIdOf(i),
        caseId: i.description,
        pillar: 'contracts',
        endpoint: i.endpoint.name,
        status: d.status ?? verified.answers.get(i.description)?.status ?? i.status,
        ruleId: d.ruleId,
        severity: severityOfRule(d.ruleId),
        basis: basisAt(i, d.pointer),
        pointer: d.pointer,
        expected: d.expected,
        actual: d.actual,
        message: `${i.description}: ${d.message}`,
        reproduction: null,
      });
    }
    errorsByInteraction.set(i, list);
  }
  const results = (verified.report as { interactionResults?: Array<{ description?: string; duration?: string }> }).interactionResults ?? [];
  // After an interrupt only the answers kept before it are judged: the rest got no answer
  // (the verifier saw a made-up 599), which says nothing about the provider.
  const judged = new Set(results.map((r) => r.description));
  const cut = (i: ContractInteraction) => verified.interrupted && !(verified.answers.has(i.description) && judged.has(i.description));
  const rootCause = verified.interrupted ? null : await rootCauseOf(ctx, verified, options.auth ?? 'sdk');
  if (rootCause) checks.push(rootCause.check);
  for (const i of current) {
    const blocked = i.states.filter((s) => verified.unsettable.has(s.name));
    const took = durationOf(results.find((r) => r.description === i.description)?.duration);
    const base = { id: checkIdOf(i), pillar: 'contracts' as const, name: i.description, endpoint: i.endpoint.name, durationMs: took };
    if (blocked.length > 0) {
      const reason = `provider state cannot be set by ${states.name}: ${blocked.map((s) => `"${s.name}"`).join(', ')}`;
      // Fixtures are the user's to add (a gap); the other states need the provider's own
      // cooperation (a read-only user, throttling, a fault), which no tenant offers: by design.
      const byDesign = blocked.every((s) => !FIXTURE_STATES.has(s.name)) ? { notApplicable: true as const } : {};
      checks.push({ ...base, outcome: 'skipped', reason, ...byDesign, findings: [] });
      continue;
    }
    if (cut(i)) {
      checks.push(cutShort({ ...base, outcome: 'skipped', findings: [] }));
      continue;
    }
    const answer = verified.answers.get(i.description);
    const covered = rootCause?.covers(i, answer);
    if (covered) {
      checks.push({ ...base, outcome: 'inconclusive', reason: covered, findings: [] });
      continue;
    }
    const unavailable = answer && unavailableForThrottle(ctx, i, answer);
    if (unavailable) {
      checks.push({ ...base, outcome: 'pass', findings: [unavailable] });
      continue;
    }
    const transient = answer && transientReason(i, answer);
    if (transient) {
      checks.push({ ...base, outcome: 'inconclusive', reason: transient, findings: [] });
      continue;
    }
    const evidence = answer ? evidenceOf(answer, ctx.redactor) : undefined;
    const findings = (errorsByInteraction.get(i) ?? []).map((f) => (evidence ? { ...f, evidence } : f));
    checks.push({ ...base, outcome: 'pass', findings });
  }
  const skipped = checks.filter((c) => c.outcome === 'skipped');
  if (skipped.length > 0) say(`contracts: skipped ${skipped.map((c) => c.name).join('; ')}`);

  if (broker && !ctx.signal.aborted) {
    const cmd = canIDeployCommand(broker);
    say(`contracts: ${commandLine(cmd)}`);
    const t1 = Date.now();
    const answer = classifyCanIDeploy(await runBroker(cmd));
    if (answer.verdict === 'unreachable') {
      throw new SetupError(`Pact Broker ${broker.baseUrl} gave no can-i-deploy answer: ${ctx.redactor.text(answer.reason)}`, 'check the broker and PACT_BROKER_BASE_URL');
    }
    const findings: Finding[] =
      answer.verdict === 'refused'
        ? [
            {
              checkId: 'contracts.can-i-deploy',
              pillar: 'contracts',
              endpoint: '*',
              status: null,
              ruleId: 'can-i-deploy',
              severity: 'error',
              basis: 'spec',
              pointer: '',
              expected: 'deployable',
              actual: 'refused',
              message: `can-i-deploy refused ${broker.consumerVersion} with ${broker.providerVersion}: ${answer.reason}`,
              reproduction: commandLine(cmd),
            },
          ]
        : [];
    checks.push({
      id: 'contracts.can-i-deploy',
      pillar: 'contracts',
      name: 'can-i-deploy',
      endpoint: '*',
      outcome: 'pass',
      durationMs: Date.now() - t1,
      findings,
    });
  }

  const gate = { failOn: options.failOn ?? 'error', ignore: null, realTarget: isRealTarget(ctx.target), now: Date.now() } as const;
  return gatePillar(pillarResult('contracts', startedAt, ctx.budget.sent - sentBefore, checks, {
    pactFile: consumer.file,
    pactFileName: PACT_FILE,
    states: states.name,
    skipped: skipped.map((c) => c.name),
  } as PillarResult['data']), gate);
};
